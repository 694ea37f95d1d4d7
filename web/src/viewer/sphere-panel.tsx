import { useEffect, useState } from 'react';
import type { CrosshairLocation } from './use-niivue.js';

/** An include or exclude sphere, world mm. */
export interface Sphere {
  readonly kind: 'include' | 'exclude';
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly r: number;
}

/**
 * The selection spheres: add one at the crosshair, edit centre and radius, and, with "move with the
 * crosshair" on, drag the active one by clicking or dragging in the image.
 */
export function SpherePanel({
  spheres,
  onChange,
  locationListeners,
}: {
  readonly spheres: readonly Sphere[];
  readonly onChange: (spheres: readonly Sphere[]) => void;
  readonly locationListeners: Set<(l: CrosshairLocation) => void>;
}) {
  const [active, setActive] = useState(0);
  const [follow, setFollow] = useState(true);
  const [here, setHere] = useState<readonly [number, number, number]>([0, 0, 0]);
  useEffect(() => {
    const listener = (l: CrosshairLocation): void => {
      setHere(l.mm);
      const current = spheres[active];
      if (!follow || current === undefined) return;
      const [x, y, z] = l.mm.map((v) => Math.round(v * 10) / 10) as [number, number, number];
      // niivue reports the location again when meshes change (the spheres' own): no move, no update.
      if (current.x === x && current.y === y && current.z === z) return;
      onChange(spheres.map((s, i) => (i === active ? { ...s, x, y, z } : s)));
    };
    locationListeners.add(listener);
    return () => {
      locationListeners.delete(listener);
    };
  }, [locationListeners, follow, spheres, active, onChange]);

  const edit = (i: number, change: Partial<Sphere>): void =>
    onChange(spheres.map((s, k) => (k === i ? { ...s, ...change } : s)));
  const add = (kind: Sphere['kind']): void => {
    const [x, y, z] = here.map((v) => Math.round(v * 10) / 10) as [number, number, number];
    onChange([...spheres, { kind, x, y, z, r: 5 }]);
    setActive(spheres.length);
  };
  return (
    <div className="spheres" aria-label="Selection spheres">
      <div>
        <button type="button" onClick={() => add('include')}>
          + include sphere
        </button>
        <button type="button" onClick={() => add('exclude')}>
          + exclude sphere
        </button>
      </div>
      <label>
        <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
        active sphere follows the crosshair (click or drag in the image)
      </label>
      {spheres.map((s, i) => (
        <div
          key={i}
          className={`sphere ${s.kind}${i === active ? ' active' : ''}`}
          role="group"
          aria-label={`Sphere ${i + 1}`}
          onClick={() => setActive(i)}
        >
          <input
            type="radio"
            aria-label="Active sphere"
            checked={i === active}
            onChange={() => setActive(i)}
          />
          <select
            aria-label="Kind"
            value={s.kind}
            onChange={(e) => edit(i, { kind: e.target.value as Sphere['kind'] })}
          >
            <option value="include">include</option>
            <option value="exclude">exclude</option>
          </select>
          {(['x', 'y', 'z'] as const).map((axis) => (
            <input
              key={axis}
              aria-label={axis}
              type="number"
              step="any"
              value={s[axis]}
              onChange={(e) => edit(i, { [axis]: Number(e.target.value) })}
            />
          ))}
          <label>
            r
            <input
              aria-label="Radius"
              type="range"
              min={1}
              max={40}
              step={0.5}
              value={s.r}
              onChange={(e) => edit(i, { r: Number(e.target.value) })}
            />
            {s.r} mm
          </label>
          <button
            type="button"
            aria-label="Remove sphere"
            onClick={() => {
              onChange(spheres.filter((_, k) => k !== i));
              setActive(0);
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
