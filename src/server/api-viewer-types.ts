import { z } from 'zod';

/**
 * The viewer's request shapes (`/api/projects/:project/viewer/...`). Answers are tract meshes in the
 * binary form of src/viewer/tract-mesh-format.ts, not JSON.
 */

const rootPath = z.string().min(1).max(4096);
const maxVertices = z.coerce.number().int().positive().optional();

/** GET .../viewer/tracts?path=&scalar=&maxVertices=: a tract file as a display mesh. */
export const tractMeshQuery = z.object({ path: rootPath, scalar: rootPath.optional(), maxVertices });

/** GET .../viewer/preview?path=: a large image's downsampled first volume (.nii), or 204 when small. */
export const previewQuery = z.object({ path: rootPath });

/**
 * POST .../viewer/tracts/select: the streamlines of `path` passing `rules` (a selection recipe's rules,
 * as `cohort tracts select --recipe`; mask paths relative to the project root), as a mesh with counts
 * and statistics. Example: `{"path":"P001/s1/dwi/wb.tck","rules":[{"kind":"include","sphere":[0,0,0,5]}]}`
 */
export const tractSelectBody = z.object({
  path: rootPath,
  scalar: rootPath.optional(),
  maxVertices,
  rules: z.array(z.record(z.unknown())).min(1).max(100),
});
export type TractSelectBody = z.input<typeof tractSelectBody>;
