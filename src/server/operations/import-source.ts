import { realpathSync } from 'node:fs';
import { isInside, type OwnPaths } from '../../catalog/own-paths.js';
import { CohortError } from '../../errors/cohort-error.js';

/** Who asks and what the server allows, for {@link checkImportSource}. */
export interface ImportSourceRules {
  /** Server admins may import from any folder but Cohort's own (as they may create projects anywhere). */
  readonly admin: boolean;
  /** Folders (COHORT_IMPORT_ROOTS) that everyone with the run role may import from. */
  readonly importRoots: readonly string[];
  readonly own: OwnPaths;
  /** Roots of the projects the caller may not read: importing from them would copy their data. */
  readonly hiddenRoots: readonly string[];
}

/**
 * The real (symlink-free) path of a DICOM folder the web app is asked to import, if the caller may
 * read it through Cohort: inside one of the import roots (server admins: anywhere), never in or
 * around Cohort's own folders, never in a project the caller cannot read. Real paths, so neither `..`
 * nor a symbolic link leads out of a root. The folder must exist (checked before, by the import).
 *
 * @throws CohortError PATH_OUTSIDE_ROOT naming the rule and the way out.
 */
export function checkImportSource(source: string, rules: ImportSourceRules): string {
  const real = realpathSync(source);
  const refuse = (why: string, hint: string): never => {
    throw new CohortError('PATH_OUTSIDE_ROOT', `Cannot import from ${source}: ${why}.`, {
      hint,
      context: { source, real },
    });
  };
  const { own } = rules;
  if (isInside(own.home, real) || isInside(real, own.home))
    refuse(
      `it is or holds Cohort's own folder ${own.home}`,
      'Copy the DICOM files to a folder of their own and import that.',
    );
  if (isInside(own.databasePath, real)) refuse('it holds the catalog database', 'Import a DICOM folder.');
  const hidden = rules.hiddenRoots.find((r) => isInside(real, r) || isInside(r, real));
  if (hidden !== undefined)
    refuse('it lies in (or holds) a project you may not read', 'Import from a folder of your own.');
  if (rules.admin) return real;
  const roots = rules.importRoots.map((r) => realOrSelf(r));
  if (roots.length === 0)
    refuse(
      'this server allows imports from the web only to server admins',
      'Ask a server admin to import it, or to name the folders users may import from in COHORT_IMPORT_ROOTS.',
    );
  if (!roots.some((r) => isInside(real, r)))
    refuse(
      `it is not inside the folders this server imports from (${roots.join(', ')})`,
      'Put the DICOM files into one of those folders first.',
    );
  return real;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
