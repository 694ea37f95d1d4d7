/**
 * The NORA manual's OUT syntax: `x/out.nii TAG(mytag)` names the output `x/out.nii` and tags it
 * `mytag` when it is registered; `TAG(a,b)` or `TAG(a) TAG(b)` give several tags.
 * Returns the path and tags, or the path as given with no tags when it has no trailing `TAG(...)`.
 *
 * Example: `splitOutTags('masks/brain.nii TAG(brainmask)')` → `{ path: 'masks/brain.nii', tags: ['brainmask'] }`.
 */
export function splitOutTags(text: string): { readonly path: string; readonly tags: string[] } {
  const tags: string[] = [];
  let path = text;
  for (;;) {
    const match = /\s+TAG\(([^()]*)\)\s*$/i.exec(path);
    if (match === null) break;
    tags.unshift(
      ...(match[1] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    );
    path = path.slice(0, match.index);
  }
  return { path, tags };
}

/**
 * Turns an OUT/PATHOUT argument written with `TAG(...)` in its path into path + tags (merged with any
 * `tags` it already has); everything else passes unchanged. Runs before the schema, so JSON, the CLI
 * and the composer all store the parsed form.
 */
export function normaliseOutArgument(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const arg = input as Record<string, unknown>;
  if ((arg.type !== 'OUT' && arg.type !== 'PATHOUT') || typeof arg.path !== 'string') return input;
  const { path, tags } = splitOutTags(arg.path);
  if (tags.length === 0) return input;
  const given = Array.isArray(arg.tags) ? (arg.tags as unknown[]) : [];
  return { ...arg, path, tags: [...new Set([...given, ...tags])] };
}
