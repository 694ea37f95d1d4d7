import { readFileSync } from 'node:fs';
import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { analysisFiles } from './analysis-file-store.js';
import type { PlotProblem } from './profile-points.js';

/** The model description files looked for by default (patchwork's, in any analysis folder). */
export const DEFAULT_MODEL_PATTERN = '*model_patchwork.json';

/** One epoch's loss of one model. */
export interface LossPoint {
  /** `ANALYSIS#name/path` of the model file. */
  readonly model: string;
  /** 1 for the first epoch. */
  readonly epoch: number;
  readonly split: 'train' | 'validation';
  readonly loss: number;
}

/**
 * Training curves from model description files (`model_patchwork.json`) in analysis folders. Fields
 * read: `trainloss_hist` and `validloss_hist`, arrays with one loss per epoch (index 0 = epoch 1);
 * `null` or a missing entry is an epoch without that loss (validation may run every few epochs). Other
 * fields are ignored. A file that is not JSON or lacks both arrays is reported, not fatal.
 */
export function lossCurves(
  db: Db,
  project: Project,
  pattern: string = DEFAULT_MODEL_PATTERN,
): { points: LossPoint[]; problems: PlotProblem[] } {
  const points: LossPoint[] = [];
  const problems: PlotProblem[] = [];
  for (const file of analysisFiles(db, project, pattern)) {
    const model = `ANALYSIS#${file.analysis}/${file.path}`;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file.absolutePath, 'utf8'));
    } catch (error) {
      problems.push({ file: model, reason: `not readable as JSON: ${(error as Error).message}` });
      continue;
    }
    const record = (json ?? {}) as Record<string, unknown>;
    const series = { train: record.trainloss_hist, validation: record.validloss_hist } as const;
    if (!Array.isArray(series.train) && !Array.isArray(series.validation)) {
      problems.push({
        file: model,
        reason: 'has neither trainloss_hist nor validloss_hist (arrays of losses per epoch)',
      });
      continue;
    }
    for (const split of ['train', 'validation'] as const) {
      const values = series[split];
      if (!Array.isArray(values)) continue;
      values.forEach((loss, i) => {
        if (typeof loss === 'number' && Number.isFinite(loss))
          points.push({ model, epoch: i + 1, split, loss });
      });
    }
  }
  return { points, problems };
}
