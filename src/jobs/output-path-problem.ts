/**
 * Why an OUT or PATHOUT path is not acceptable ("problem — fix"), or null. Outputs are relative to the
 * study (or analysis) folder they name and must stay inside it: a job must never write over another
 * subject's data, so `..`, absolute paths and wildcards are refused before anything runs.
 *
 * Example: `outputPathProblem('OUT', '../x.nii')` gives
 * `path '../x.nii' leaves the study folder — give a path inside the study, e.g. masks/x.nii`.
 */
export function outputPathProblem(type: 'OUT' | 'PATHOUT', path: string): string | null {
  const segments = path.split('/');
  const last = segments.filter((s) => s !== '' && s !== '.' && s !== '..').pop();
  const fallback = type === 'OUT' ? 'brain.nii' : 'freesurfer';
  const plain = last !== undefined && !/[*?\\\p{Cc}~]/u.test(last) ? last : fallback;
  const fix = `give a path inside the study, e.g. ${type === 'OUT' ? `masks/${plain}` : plain}`;
  const shown = JSON.stringify(path).slice(1, -1).replace(/'/g, "\\'");
  if (path.trim() === '') return `has no path — ${fix}`;
  // `TAG(...)` left in the path: not at the end, or malformed (`x.nii TAG(a` ...).
  if (/\bTAG\(/i.test(path)) {
    return `path '${path}' holds a TAG(...) that is not at its end — write the path, then TAG(tag1,tag2), e.g. masks/brain.nii TAG(brainmask)`;
  }
  if (path !== path.trim()) {
    return `path '${path}' starts or ends with a space — remove it; ${fix}`;
  }
  if (/\p{Cc}/u.test(path)) {
    return `path '${shown}' contains a control character (NUL, newline, tab...) — ${fix}`;
  }
  if (path.startsWith('/') || path.startsWith('~') || /^[A-Za-z]:/.test(path)) {
    return `path '${path}' is absolute — outputs are relative to their study folder; ${fix}`;
  }
  if (path.includes('\\')) return `path '${path}' contains a backslash — use / between folders; ${fix}`;
  if (segments.includes('..')) return `path '${path}' leaves the study folder — ${fix}`;
  if (/[*?]/.test(path)) {
    return `path '${path}' contains a wildcard (* or ?) — an output needs one exact name; ${fix}`;
  }
  if (last === undefined) {
    return `path '${path}' is the study folder itself — name a ${type === 'OUT' ? 'file' : 'subfolder'}; ${fix}`;
  }
  if (type === 'OUT' && /(^|\/)\.?$/.test(path)) {
    return `path '${path}' names a folder, but an OUT is a file — add a file name, or make it a PATHOUT`;
  }
  return null;
}
