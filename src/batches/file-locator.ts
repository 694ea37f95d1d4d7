import type { Project } from '../catalog/project-store.js';
import { cachedLister, findSidecars, type Sidecar } from '../catalog/layout/bids-inheritance.js';
import {
  datasetOf,
  DEFAULT_PIPELINE,
  DERIVATIVES,
  derivativeOf,
  studyFileRel,
} from '../catalog/layout/derivatives.js';
import { fromRoot } from '../selection/study-row.js';
import type { ReferenceTarget } from './resolve-study-reference.js';

/** Where the catalog files of a study or analysis folder lie on disk, and their sidecars. */
export interface FileLocator {
  /** The absolute path of a catalog file (`path` relative to its study or analysis folder). */
  absolute(target: ReferenceTarget, path: string): string;
  /**
   * The sidecars with `extension` that apply to a catalog file, top-down (the nearest last): by BIDS
   * inheritance in a BIDS project, else the file of the same name with that extension beside it.
   */
  sidecars(target: ReferenceTarget, path: string, extension: string): Sidecar[];
  /**
   * Where an output with `path` (relative, normalised) is written and catalogued. In a BIDS project a
   * study's outputs go to `derivatives/<pipeline>/<sub>/[<ses>/]<path>`, catalogued with the study as
   * `derivatives/<pipeline>/<path>`; the pipeline is the path's own `derivatives/<name>/` or `cohort`.
   */
  output(target: ReferenceTarget, path: string): { readonly absolute: string; readonly path: string };
}

// Image extensions a sidecar's name replaces: `x.nii.gz` → `x.json`.
const DATA_EXTENSIONS = /\.(nii\.gz|nii|mgz|mgh|gii|dscalar\.nii|edf|vhdr|fif|ds|tsv\.gz|tsv)$/i;

/**
 * A locator for one project; it reads each folder at most once (a preview over many items asks for
 * the same dataset-level sidecars again and again).
 */
export function fileLocator(project: Pick<Project, 'root' | 'layout'>): FileLocator {
  const list = cachedLister();
  // path.relative per argument was a large share of a preview over 100,000 subjects; fromRoot's
  // checks still were for a run's resolution (a million input paths): once per study object.
  const rels = new WeakMap<object, string>();
  const rel = (target: ReferenceTarget): string => {
    if (target.kind !== 'study') return fromRoot(project.root, target.folder);
    let known = rels.get(target.study);
    if (known === undefined || target.study.folder !== target.folder) {
      known = fromRoot(project.root, target.folder);
      if (target.study.folder === target.folder) rels.set(target.study, known);
    }
    return known;
  };
  return {
    absolute(target, path) {
      if (target.kind === 'analysis') return `${target.folder}/${path}`;
      return `${project.root}/${studyFileRel(project.layout, rel(target), path)}`;
    },
    output(target, path) {
      if (project.layout !== 'bids' || target.kind !== 'study') {
        return { absolute: `${target.folder}/${path}`, path };
      }
      const catalogPath =
        derivativeOf(project.layout, path) === null ? `${DERIVATIVES}/${DEFAULT_PIPELINE}/${path}` : path;
      return { absolute: this.absolute(target, catalogPath), path: catalogPath };
    },
    sidecars(target, path, extension) {
      if (project.layout === 'bids' && target.kind === 'study') {
        const { dataset, rel: fileRel } = datasetOf(project.layout, rel(target), path);
        return findSidecars(
          dataset === '' ? project.root : `${project.root}/${dataset}`,
          fileRel,
          extension,
          list,
        );
      }
      const abs = this.absolute(target, path);
      const slash = abs.lastIndexOf('/');
      const name = abs.slice(slash + 1);
      const stem = DATA_EXTENSIONS.test(name)
        ? name.replace(DATA_EXTENSIONS, '')
        : name.replace(/\.[^.]*$/, '');
      const candidate = `${stem}${extension}`;
      return candidate !== name && list(abs.slice(0, slash)).includes(candidate)
        ? [{ path: `${abs.slice(0, slash)}/${candidate}`, origin: 'beside the file' }]
        : [];
    },
  };
}
