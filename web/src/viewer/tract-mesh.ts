import { NVMesh, type Niivue } from '@niivue/niivue';
import { ApiFailure, projectPath } from '../api/api-client.js';
import type { ApiError } from '../api/api-types.js';
import { decodeTractMesh, type TractMesh } from '../../../src/viewer/tract-mesh-format.js';

/** Fetches a mesh (GET tracts or POST a selection) and decodes it; refusals become {@link ApiFailure}. */
export async function fetchTractMesh(
  project: string,
  request: { path: string; scalar?: string | undefined; rules?: unknown[] },
): Promise<TractMesh> {
  const init: RequestInit =
    request.rules === undefined
      ? { credentials: 'same-origin' }
      : {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request),
        };
  const url =
    request.rules === undefined
      ? projectPath(
          project,
          `viewer/tracts?${new URLSearchParams({ path: request.path, ...(request.scalar === undefined ? {} : { scalar: request.scalar }) }).toString()}`,
        )
      : projectPath(project, 'viewer/tracts/select');
  const response = await fetch(url, init);
  if (!response.ok) {
    const error = ((await response.json().catch(() => null)) as ApiError | null)?.error;
    throw new ApiFailure(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? response.statusText,
      error?.fix,
    );
  }
  return decodeTractMesh(await response.arrayBuffer());
}

/** How streamlines are coloured: by direction, one colour, or by the sampled scalar. */
export type FiberColouring = 'direction' | 'scalar' | 'fixed';

/**
 * A niivue tract mesh built from the arrays (never niivue's file readers). A zero alpha in the base
 * colour is how niivue's NVMesh constructor knows `offsets` are streamline starts, not triangles.
 */
export function tractNvMesh(
  nv: Niivue,
  mesh: TractMesh,
  name: string,
  colouring: FiberColouring,
  rgb: readonly [number, number, number] = [255, 255, 0],
): NVMesh {
  const gl = nv.gl;
  const dpv =
    mesh.scalar === null
      ? null
      : [
          {
            id: 'scalar',
            vals: mesh.scalar,
            global_min: mesh.header.scalar?.min ?? 0,
            global_max: mesh.header.scalar?.max ?? 1,
            cal_min: mesh.header.scalar?.min ?? 0,
            cal_max: mesh.header.scalar?.max ?? 1,
          },
        ];
  const nvMesh = new NVMesh(
    mesh.positions,
    mesh.offsets,
    name,
    new Uint8Array([rgb[0], rgb[1], rgb[2], 0]),
    1,
    true,
    gl,
    'warm',
    null,
    null,
    dpv,
  );
  // niivue hides streamlines shorter than fiberLength mm (default 2), and skips everything at 0: show
  // every one sent (its lengths are truncated to whole mm, so only those under 1 mm stay hidden).
  nvMesh.fiberLength = 1e-9;
  nvMesh.fiberDither = 0;
  nvMesh.fiberColor =
    colouring === 'scalar' && dpv !== null ? 'dpv0' : colouring === 'fixed' ? 'Fixed' : 'Global';
  nvMesh.updateFibers(gl);
  return nvMesh;
}

/**
 * Swaps meshes in the scene with one redraw. niivue's addMesh and removeMesh each recompute the whole
 * volume (updateGLVolume): seconds per call with software WebGL, several per sphere drag. The scene's
 * extent stays that of the first meshes loaded, which spheres and selections lie within.
 */
export function swapMeshes(nv: Niivue, remove: readonly NVMesh[], add: readonly NVMesh[]): void {
  for (const mesh of remove) mesh.unloadMesh(nv.gl);
  nv.meshes = [...nv.meshes.filter((m) => !remove.includes(m)), ...add];
  nv.drawScene();
}
