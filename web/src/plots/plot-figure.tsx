import { useEffect, useRef, useState } from 'react';
import { saveBlob, svgText, svgToPng } from './download.js';
import { toTsv } from './plot-data.js';

export interface PlotFigureProps {
  /** Base of the downloaded files' names. */
  readonly name: string;
  /** Draws the plot (an Observable Plot element). */
  readonly draw: () => SVGSVGElement | HTMLElement;
  /** The data behind it, offered as TSV. */
  readonly rows: readonly object[];
}

/** A drawn plot with its downloads: SVG, PNG (twice the screen size) and the data as TSV. */
export function PlotFigure({ name, draw, rows }: PlotFigureProps) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const element = draw();
    holder.current?.replaceChildren(element);
    return () => element.remove();
  }, [draw]);
  const svg = (): SVGSVGElement | null => holder.current?.querySelector('svg') ?? null;
  return (
    <figure className="plot-figure" aria-label={`${name} plot`}>
      <div className="plot-actions">
        <button
          type="button"
          onClick={() => {
            const s = svg();
            if (s !== null) saveBlob(new Blob([svgText(s)], { type: 'image/svg+xml' }), `${name}.svg`);
          }}
        >
          Download SVG
        </button>
        <button
          type="button"
          onClick={() => {
            const s = svg();
            if (s !== null)
              svgToPng(s).then(
                (png) => saveBlob(png, `${name}.png`),
                (e: unknown) => setError(String(e)),
              );
          }}
        >
          Download PNG
        </button>
        <button
          type="button"
          onClick={() =>
            saveBlob(new Blob([toTsv(rows)], { type: 'text/tab-separated-values' }), `${name}.tsv`)
          }
        >
          Download data (TSV)
        </button>
        <span>{rows.length} rows</span>
      </div>
      {error !== null && <p role="alert">{error}</p>}
      <div ref={holder} />
    </figure>
  );
}
