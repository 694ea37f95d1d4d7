import { Hono, type Context } from 'hono';
import type { Project } from '../../catalog/project-store.js';
import {
  decodeNiftiFirstVolume,
  readImageFile,
  readNiftiVolume,
  type NiftiVolume,
} from '../../imaging/nifti-volume.js';
import { readTracts, type Tractogram } from '../../tracts/index.js';
import { makeSampler } from '../../tracts/sample-image.js';
import { parseSelectionRecipe } from '../../tracts/selection-recipe.js';
import { FileCache } from '../../viewer/file-cache.js';
import { previewNifti } from '../../viewer/preview-volume.js';
import { displayMesh, selectionStats, type Sampler } from '../../viewer/tract-display.js';
import { encodeTractMesh, type TractMesh } from '../../viewer/tract-mesh-format.js';
import { previewQuery, tractMeshQuery, tractSelectBody } from '../api-viewer-types.js';
import { authorizeProject } from '../auth/rights.js';
import { readBody, readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';
import { readableFile } from './file-routes.js';

/**
 * The viewer's tract endpoints: a tract file (TCK, TRK, TRX) as a display mesh, and a selection over it.
 * Files are named relative to the project root and checked like every file route (readableFile); images
 * themselves are read by the browser through the file content route (with range requests), after a
 * downsampled preview for a quick first frame of a large one.
 */
export function viewerRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Two tract files and a few scalar images: a viewer session's working set, not a general cache.
  const tracts = new FileCache<Tractogram>(2);
  const volumes = new FileCache<NiftiVolume>(4);

  const load = (c: Context<AppEnv>, project: Project, path: string): Tractogram => {
    const file = readableFile(c, project, path);
    return tracts.get(file, () => readTracts(file.absolutePath));
  };
  const sampler = (c: Context<AppEnv>, project: Project, path: string | undefined): Sampler | undefined => {
    if (path === undefined) return undefined;
    const file = readableFile(c, project, path);
    return makeSampler(volumes.get(file, () => readNiftiVolume(file.absolutePath)));
  };

  app.get('/projects/:project/viewer/tracts', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, tractMeshQuery);
    const tractogram = load(c, project, q.path);
    const sample = sampler(c, project, q.scalar);
    return sendMesh(
      displayMesh(tractogram, {
        ...(q.maxVertices === undefined ? {} : { maxVertices: q.maxVertices }),
        ...(sample === undefined ? {} : { sample }),
      }),
    );
  });

  // A large image's quick first frame (viewer/preview-volume.ts); 204 when the image is small enough.
  app.get('/projects/:project/viewer/preview', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, previewQuery);
    const file = readableFile(c, project, q.path);
    const preview = previewNifti(decodeNiftiFirstVolume(readImageFile(file.absolutePath), q.path));
    if (preview === null) return c.body(null, 204);
    return new Response(new Uint8Array(preview), {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(preview.byteLength),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    });
  });

  app.post('/projects/:project/viewer/tracts/select', async (c) => {
    const project = authorizeProject(c, 'read');
    const body = await readBody(c, tractSelectBody);
    const started = performance.now();
    // Masks are project files: each is checked (inside the root, not Cohort's own) before it is read.
    const rules = body.rules.map((rule) =>
      withMasks(rule, (mask) => readableFile(c, project, mask).absolutePath),
    );
    const recipe = parseSelectionRecipe({ rules }, project.root);
    const tractogram = load(c, project, body.path);
    const sample = sampler(c, project, body.scalar);
    const stats = selectionStats(tractogram, recipe, sample);
    const mesh = displayMesh(
      tractogram,
      {
        ...(body.maxVertices === undefined ? {} : { maxVertices: body.maxVertices }),
        ...(sample === undefined ? {} : { sample }),
      },
      stats.indices,
    );
    return sendMesh({
      ...mesh,
      header: {
        ...mesh.header,
        selection: {
          fileTotal: tractogram.count,
          meanLength: stats.meanLength,
          meanScalar: stats.meanScalar,
          ms: Math.round(performance.now() - started),
        },
      },
    });
  });
  return app;
}

/** A rule with every `mask` (also inside `regions`) replaced by `resolve(mask)`. */
function withMasks(
  rule: Record<string, unknown>,
  resolve: (mask: string) => string,
): Record<string, unknown> {
  const region = (r: unknown): unknown =>
    typeof r === 'object' && r !== null && typeof (r as { mask?: unknown }).mask === 'string'
      ? { ...r, mask: resolve((r as { mask: string }).mask) }
      : r;
  const out = region(rule) as Record<string, unknown>;
  return Array.isArray(out.regions) ? { ...out, regions: out.regions.map(region) } : out;
}

function sendMesh(mesh: TractMesh): Response {
  const bytes = encodeTractMesh(mesh);
  return new Response(bytes, {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(bytes.byteLength),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}
