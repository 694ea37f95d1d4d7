import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti1 } from './nifti1.js';
import { deriveSeed } from './seeded-random.js';
import { syntheticHead, syntheticHeadLabels } from './synthetic-head.js';

/** What `writeLabelledHeads` wrote for one subject: a T1 and its tissue labels. */
export interface LabelledHead {
  readonly pid: string;
  readonly t1: string;
  readonly labels: string;
}

/** Options of {@link writeLabelledHeads}; defaults give the demo's T1 geometry. */
export interface LabelledHeadsOptions {
  readonly subjects: number;
  readonly seed?: number;
  /** Default [32, 32, 24] voxels of [6, 7, 7] mm, the demo project's T1. */
  readonly dims?: readonly [number, number, number];
  readonly voxel?: readonly [number, number, number];
  /** Every other subject gets a lesion (label 6), as the demo's patients. Default true. */
  readonly lesions?: boolean;
}

/** T1 intensities per tissue, the demo's (render-series.ts) scanner A. */
const T1 = { background: 0, skull: 60, scalp: 700, gm: 600, wm: 900, csf: 180, lesion: 380 };

/**
 * Writes `<root>/<pid>/<study>/anat/t1.nii.gz` and `.../labels/tissue.nii.gz` per subject: synthetic
 * heads (the demo generator's) with their tissue labels as ground truth for segmentation training and
 * tests. Intensity gain varies by ±15 % between subjects, as between the demo's scanners.
 * @example writeLabelledHeads('/tmp/heads', { subjects: 8 })
 */
export function writeLabelledHeads(root: string, options: LabelledHeadsOptions): LabelledHead[] {
  const seed = options.seed ?? 1;
  const dims = options.dims ?? [32, 32, 24];
  const voxel = options.voxel ?? [6, 7, 7];
  return Array.from({ length: options.subjects }, (_, n) => {
    const pid = `H${String(n + 1).padStart(3, '0')}`;
    const gain = 0.85 + 0.3 * ((deriveSeed(seed, pid, 'gain') % 1000) / 1000);
    const spec = {
      dims,
      pixdim: voxel,
      datatype: 'int16' as const,
      contrast: Object.fromEntries(Object.entries(T1).map(([t, v]) => [t, v * gain])) as typeof T1,
      anatomySeed: deriveSeed(seed, pid),
      noiseSeed: deriveSeed(seed, pid, 't1'),
      lesion: options.lesions !== false && n % 2 === 1,
    };
    const study = join(root, pid, '20240101');
    mkdirSync(join(study, 'anat'), { recursive: true });
    mkdirSync(join(study, 'labels'), { recursive: true });
    const t1 = join(study, 'anat', 't1.nii.gz');
    const labels = join(study, 'labels', 'tissue.nii.gz');
    writeNifti1(t1, syntheticHead(spec));
    writeNifti1(labels, syntheticHeadLabels(spec));
    return { pid, t1, labels };
  });
}
