import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Shape of a synthetic project tree: `<subject>/<study>/<series>/<file>`. */
export interface TreeShape {
  readonly subjects: number;
  readonly studiesPerSubject: number;
  readonly seriesPerStudy: number;
  readonly filesPerSeries: number;
}

const SERIES = ['t1_mprage', 'flair_tra', 'dwi_64dir', 'rest_bold', 'swi', 't2_tse', 'pd', 'asl'];

/**
 * Writes a tree of small files (a few bytes each, as the index only reads metadata).
 * Skips the work when a marker file for the same shape already exists, so benchmarks can reuse it.
 */
export function makeSyntheticTree(root: string, shape: TreeShape): number {
  const marker = join(
    root,
    `.shape-${shape.subjects}-${shape.studiesPerSubject}-${shape.seriesPerStudy}-${shape.filesPerSeries}`,
  );
  const total = shape.subjects * shape.studiesPerSubject * shape.seriesPerStudy * shape.filesPerSeries;
  if (existsSync(marker)) return total;
  for (let p = 0; p < shape.subjects; p++) {
    const subject = `S${String(p + 1).padStart(5, '0')}`;
    for (let s = 0; s < shape.studiesPerSubject; s++) {
      const study = `2020${String((s % 12) + 1).padStart(2, '0')}${String((p % 28) + 1).padStart(2, '0')}`;
      for (let r = 0; r < shape.seriesPerStudy; r++) {
        const series = `${SERIES[r % SERIES.length]}_${r}`;
        const dir = join(root, subject, `${study}_${s}`, series);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < shape.filesPerSeries; f++) {
          writeFileSync(join(dir, `s${String(f).padStart(3, '0')}.nii`), 'x');
        }
      }
    }
  }
  writeFileSync(marker, '');
  return total;
}
