import { z } from 'zod';
import type { LossPoint } from '../plots/loss-curves.js';
import type { MeasurePoint } from '../plots/measure-points.js';
import type { PlotProblem, ProfilePoint } from '../plots/profile-points.js';

/**
 * The plots page's request and response shapes (part of api-types.ts, which re-exports them):
 * `/api/projects/:project/plots/{measures,profiles,losses}`. Every answer is long-format rows, which
 * the page draws and offers as TSV.
 */

const groupingQuery = {
  /** Selector terms picking the studies (default every study). */
  selector: z.string().max(10_000).default('*'),
  groupLevel: z.enum(['subject', 'study']).default('subject'),
  /** Comma-separated tags naming the groups, tried in order (`control,patient`); empty: one group. */
  groups: z
    .string()
    .max(2000)
    .default('')
    .transform((t) =>
      t
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
};

/** GET .../plots/measures?selector=&groupLevel=&groups=: the measures jobs recorded, grouped. */
export const measuresPlotQuery = z.object(groupingQuery);
export interface MeasuresPlotResponse {
  readonly points: readonly MeasurePoint[];
}

/** GET .../plots/profiles?selector=&pattern=&groupLevel=&groups=: along-tract profiles from tract tables. */
export const profilesPlotQuery = z.object({
  ...groupingQuery,
  pattern: z.string().min(1).max(1000).default('*.tsv'),
});
export interface ProfilesPlotResponse {
  readonly points: readonly ProfilePoint[];
  readonly problems: readonly PlotProblem[];
}

/** GET .../plots/losses?pattern=: training curves from model files in analysis folders. */
export const lossesPlotQuery = z.object({
  pattern: z.string().min(1).max(1000).default('*model_patchwork.json'),
});
export interface LossesPlotResponse {
  readonly points: readonly LossPoint[];
  readonly problems: readonly PlotProblem[];
}
export type { LossPoint, MeasurePoint, PlotProblem, ProfilePoint };
