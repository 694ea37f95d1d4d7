import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { INSTALL_ROOT } from '../config/install-root.js';
import type { Project } from '../catalog/project-store.js';
import { DERIVATIVES } from '../catalog/layout/derivatives.js';

/** What wrote a derivative: the batch and job, for `GeneratedBy`. */
export interface Generator {
  readonly batch: string;
  readonly job: string;
}

/** Cohort's version, read once from its package.json (beside src/ and dist/ alike). */
export const COHORT_VERSION: string = (() => {
  try {
    const text = readFileSync(join(INSTALL_ROOT, 'package.json'), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
})();

/**
 * Makes sure the BIDS pipeline folder an output lies in (`<root>/derivatives/<pipeline>/...`) has its
 * `dataset_description.json`, which BIDS requires of a derivative dataset: written once, by the first
 * job that writes there, naming Cohort, its version, the batch and the job in `GeneratedBy`; an existing
 * one (another tool's, or an earlier run's) is left as it is. Returns the file written, or null.
 */
export function ensureDatasetDescription(
  project: Pick<Project, 'root' | 'layout'>,
  outputPath: string,
  generator: Generator,
): string | null {
  if (project.layout !== 'bids') return null;
  const [top, pipeline] = relative(project.root, outputPath).split('/');
  if (top !== DERIVATIVES || pipeline === undefined || pipeline === '') return null;
  const path = `${project.root}/${DERIVATIVES}/${pipeline}/dataset_description.json`;
  if (existsSync(path)) return null;
  const description = {
    Name: pipeline,
    BIDSVersion: '1.9.0',
    DatasetType: 'derivative',
    GeneratedBy: [
      {
        Name: 'Cohort',
        Version: COHORT_VERSION,
        Description: `batch '${generator.batch}', job '${generator.job}'`,
      },
    ],
  };
  try {
    // 'wx': two tasks finishing at once must not both write it; the second finds it there.
    writeFileSync(path, `${JSON.stringify(description, null, 2)}\n`, { flag: 'wx' });
  } catch {
    return null;
  }
  return path;
}
