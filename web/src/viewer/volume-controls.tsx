import type { NVImage, Niivue } from '@niivue/niivue';
import { useState } from 'react';

const COLORMAPS = ['gray', 'red', 'green', 'blue', 'warm', 'cool', 'hot', 'winter', 'plasma', 'viridis'];

/** Colour map, opacity, threshold (display range) and, for 4D images, the volume shown. */
export function VolumeControls({
  nv,
  volume,
  index,
  onRemove,
}: {
  readonly nv: Niivue;
  readonly volume: NVImage;
  readonly index: number;
  readonly onRemove: () => void;
}) {
  const [, redraw] = useState(0);
  const frames = volume.nFrame4D ?? 1;
  const min = volume.global_min ?? 0;
  const max = volume.global_max ?? 1;
  const update = (): void => {
    nv.updateGLVolume();
    redraw((n) => n + 1);
  };
  return (
    <fieldset className="layer" aria-label={`Layer ${volume.name}`}>
      <legend title={volume.name}>
        {index === 0 ? 'Background' : `Overlay ${index}`}: {volume.name}
      </legend>
      <label>
        Colour map
        <select
          aria-label="Colour map"
          value={volume.colormap}
          onChange={(e) => {
            nv.setColormap(volume.id, e.target.value);
            redraw((n) => n + 1);
          }}
        >
          {COLORMAPS.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Opacity
        <input
          aria-label="Opacity"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={volume.opacity}
          onChange={(e) => {
            nv.setOpacity(index, Number(e.target.value));
            redraw((n) => n + 1);
          }}
        />
      </label>
      <label>
        Threshold
        <input
          aria-label="Threshold minimum"
          type="number"
          step="any"
          value={round(volume.cal_min ?? min)}
          onChange={(e) => {
            volume.cal_min = Number(e.target.value);
            update();
          }}
        />
        <input
          aria-label="Threshold maximum"
          type="number"
          step="any"
          value={round(volume.cal_max ?? max)}
          onChange={(e) => {
            volume.cal_max = Number(e.target.value);
            update();
          }}
        />
      </label>
      {frames > 1 && (
        <label>
          Volume {volume.frame4D + 1} of {frames}
          <input
            aria-label="Volume"
            type="range"
            min={0}
            max={frames - 1}
            step={1}
            value={volume.frame4D}
            onChange={(e) => {
              nv.setFrame4D(volume.id, Number(e.target.value));
              redraw((n) => n + 1);
            }}
          />
        </label>
      )}
      <button type="button" onClick={onRemove}>
        Remove
      </button>
    </fieldset>
  );
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
