/**
 * The viewer's address: `#/viewer?project=NAME&file=ROOT/PATH&file=...` (paths relative to the project
 * root; images and tract files by their extension). Built by the subjects table and the grid, read by
 * the viewer page, and bookmarkable.
 */

const IMAGE = /\.nii(\.gz)?$/i;
const TRACTS = /\.(tck|trk|trx)$/i;

/** Whether the viewer can show a file: NIfTI (.nii, .nii.gz) or tracts (.tck, .trk, .trx). */
export function isViewable(path: string): boolean {
  return IMAGE.test(path) || TRACTS.test(path);
}

/** Whether a path names a tract file. */
export function isTractFile(path: string): boolean {
  return TRACTS.test(path);
}

/** The hash that opens the viewer on these files. */
export function viewerHash(project: string, files: readonly string[]): string {
  const q = new URLSearchParams([['project', project], ...files.map((f): [string, string] => ['file', f])]);
  return `#/viewer?${q.toString()}`;
}

/** The project and files named by a viewer hash (none when the hash is another page's). */
export function parseViewerHash(hash: string): { project: string | undefined; files: string[] } {
  const m = /^#\/?viewer\?(.*)$/.exec(hash);
  if (m === null) return { project: undefined, files: [] };
  const q = new URLSearchParams(m[1] ?? '');
  return { project: q.get('project') ?? undefined, files: q.getAll('file').filter((f) => f !== '') };
}
