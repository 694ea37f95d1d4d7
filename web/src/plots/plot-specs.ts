import * as Plot from '@observablehq/plot';
import type { LossPoint, MeasurePoint } from '../api/api-types.js';
import type { ProfileSummary } from './plot-data.js';

// Labels are drawn inside the SVG (axes, line-end text) rather than as an HTML legend, so the SVG and
// PNG downloads are complete on their own.

/** Box plot per group with every value as a dot over it (one measure key). */
export function measuresPlot(points: readonly MeasurePoint[], key: string): SVGSVGElement | HTMLElement {
  const data = points.filter((p) => p.key === key);
  return Plot.plot({
    width: 720,
    height: 380,
    marginLeft: 60,
    x: { label: 'group', padding: 0.3 },
    y: { label: key, grid: true },
    marks: [
      Plot.boxY(data, { x: 'group', y: 'value', fill: '#e8ecf4', stroke: '#667085', r: 0 }),
      Plot.dot(data, {
        x: 'group',
        y: 'value',
        fill: 'group',
        r: 3.5,
        fillOpacity: 0.8,
        title: (d: MeasurePoint) => `${d.subject}${d.study === null ? '' : `#${d.study}`}: ${d.value}`,
      }),
    ],
  });
}

/** Mean profile per group along the bundle, a one-sd band around it; one panel per bundle. */
export function profilesPlot(
  summary: readonly ProfileSummary[],
  measure: string,
): SVGSVGElement | HTMLElement {
  const data = summary.filter((s) => s.measure === measure);
  return Plot.plot({
    width: 720,
    height: 260 * Math.max(1, new Set(data.map((d) => d.bundle)).size),
    marginRight: 80,
    fy: { label: null },
    x: { label: 'node along the bundle' },
    y: { label: measure, grid: true },
    marks: [
      Plot.areaY(data, { x: 'node', y1: 'low', y2: 'high', fill: 'group', fillOpacity: 0.18, fy: 'bundle' }),
      Plot.lineY(data, { x: 'node', y: 'mean', stroke: 'group', strokeWidth: 2, fy: 'bundle' }),
      Plot.text(
        data,
        Plot.selectLast({
          x: 'node',
          y: 'mean',
          z: 'group',
          text: 'group',
          fill: 'group',
          dx: 4,
          textAnchor: 'start',
          fy: 'bundle',
        }),
      ),
    ],
  });
}

/** Training and validation loss per epoch; one panel per model. */
export function lossesPlot(points: readonly LossPoint[]): SVGSVGElement | HTMLElement {
  return Plot.plot({
    width: 720,
    height: 240 * Math.max(1, new Set(points.map((p) => p.model)).size),
    marginRight: 80,
    fy: { label: null },
    x: { label: 'epoch' },
    y: { label: 'loss', grid: true },
    marks: [
      Plot.lineY(points, { x: 'epoch', y: 'loss', stroke: 'split', fy: 'model', marker: 'circle' }),
      Plot.text(
        points,
        Plot.selectLast({
          x: 'epoch',
          y: 'loss',
          z: 'split',
          text: 'split',
          fill: 'split',
          dx: 6,
          textAnchor: 'start',
          fy: 'model',
        }),
      ),
    ],
  });
}
