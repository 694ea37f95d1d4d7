import type { NVMesh, Niivue } from '@niivue/niivue';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { PathInfo } from '../api/api-types.js';
import { recipeBatch, type RecipeRule } from '../../../src/viewer/recipe-batch.js';
import type { TractMeshHeader } from '../../../src/viewer/tract-mesh-format.js';
import { sphereMeshes } from './sphere-mesh.js';
import { RegionRulesPanel, type MaskRule, type Waypoint } from './region-rules-panel.js';
import { SpherePanel, type Sphere } from './sphere-panel.js';
import { fetchTractMesh, swapMeshes, tractNvMesh, type FiberColouring } from './tract-mesh.js';
import type { CrosshairLocation } from './use-niivue.js';

interface Loaded {
  readonly path: string;
  readonly key: string;
  /** None for a file without streamlines (niivue 0.69 hangs on an empty tract mesh). */
  readonly mesh: NVMesh | null;
  readonly header: TractMeshHeader;
}

/**
 * Tract files as niivue meshes built from the server's arrays, coloured by direction or by a loaded
 * image sampled along them, with the shown / total count; and selection on the first file by spheres,
 * masks (`images`: the study's images) and ordered waypoints.
 */
export function TractPanel({
  nv,
  project,
  paths,
  volumes,
  images,
  locationListeners,
  onRemove,
  onMessage,
}: {
  readonly nv: Niivue;
  readonly project: string;
  readonly paths: readonly string[];
  readonly volumes: readonly string[];
  readonly images: readonly string[];
  readonly locationListeners: Set<(l: CrosshairLocation) => void>;
  readonly onRemove: (path: string) => void;
  readonly onMessage: (message: string) => void;
}) {
  const [colouring, setColouring] = useState<FiberColouring>('direction');
  const [scalar, setScalar] = useState('');
  const [loaded, setLoaded] = useState<readonly Loaded[]>([]);
  const [spheres, setSpheres] = useState<readonly Sphere[]>([]);
  const [masks, setMasks] = useState<readonly MaskRule[]>([]);
  const [waypoints, setWaypoints] = useState<readonly Waypoint[]>([]);
  // The recipe's rules, as `cohort tracts select` takes them; waypoints count from two.
  const rules = useMemo(
    () => [
      ...spheres.map((s) => ({ kind: s.kind, sphere: [s.x, s.y, s.z, s.r] as const })),
      ...masks.map((m) => ({ kind: m.kind, mask: m.mask })),
      ...(waypoints.length >= 2 ? [{ kind: 'ordered' as const, regions: waypoints }] : []),
    ],
    [spheres, masks, waypoints],
  );
  const [selection, setSelection] = useState<{ header: TractMeshHeader } | null>(null);
  const [pending, setPending] = useState(false);
  const meshes = useRef(new Map<string, Loaded>());
  const scalarPath = scalar !== '' && volumes.includes(scalar) ? scalar : undefined;
  const key = `${colouring}\0${scalarPath ?? ''}`;

  // Load each file (again when the colouring's scalar changes), drop removed ones.
  useEffect(() => {
    let live = true;
    void (async () => {
      for (const [path, l] of meshes.current) {
        if (!paths.includes(path) || l.key !== key) {
          if (l.mesh !== null) nv.removeMesh(l.mesh);
          meshes.current.delete(path);
        }
      }
      for (const path of paths) {
        if (meshes.current.has(path)) continue;
        try {
          const started = performance.now();
          const data = await fetchTractMesh(project, {
            path,
            ...(colouring === 'scalar' && scalarPath !== undefined ? { scalar: scalarPath } : {}),
          });
          if (!live) return;
          const mesh =
            data.header.vertices > 0 ? tractNvMesh(nv, data, path.split('/').pop() ?? path, colouring) : null;
          if (mesh !== null) nv.addMesh(mesh);
          meshes.current.set(path, { path, key, mesh, header: data.header });
          // Request to first frame with the tracts drawn (docs/benchmarks.md reads it).
          nv.canvas?.setAttribute('data-tracts-ms', String(Math.round(performance.now() - started)));
        } catch (e) {
          onMessage(`Cannot open ${path}: ${describeError(e)}`);
        }
      }
      if (live) setLoaded([...meshes.current.values()]);
    })();
    return () => {
      live = false;
    };
  }, [nv, project, paths.join('\n'), key]);

  // Selection: one request in flight; the latest rules win.
  const target = paths[0];
  const latest = useRef(rules);
  latest.current = rules;
  const busy = useRef(false);
  const shownSelection = useRef<NVMesh | null>(null);
  useEffect(() => {
    const full = target === undefined ? undefined : meshes.current.get(target)?.mesh;
    if (target === undefined || full === undefined || full === null) return;
    if (rules.length === 0) {
      full.visible = true;
      swapMeshes(nv, shownSelection.current === null ? [] : [shownSelection.current], []);
      shownSelection.current = null;
      setSelection(null);
      return;
    }
    if (busy.current) return;
    busy.current = true;
    setPending(true);
    void (async () => {
      let sent: typeof rules = [];
      try {
        do {
          sent = latest.current;
          const data = await fetchTractMesh(project, {
            path: target,
            ...(scalarPath === undefined ? {} : { scalar: scalarPath }),
            rules: [...sent],
          });
          // niivue 0.69 hangs on a tract mesh without vertices: an empty selection draws nothing.
          const mesh = data.header.vertices > 0 ? tractNvMesh(nv, data, 'selection', colouring) : null;
          full.visible = false;
          swapMeshes(
            nv,
            shownSelection.current === null ? [] : [shownSelection.current],
            mesh === null ? [] : [mesh],
          );
          shownSelection.current = mesh;
          setSelection({ header: data.header });
        } while (latest.current !== sent && latest.current.length > 0);
      } catch (e) {
        onMessage(describeError(e));
      } finally {
        busy.current = false;
        setPending(false);
      }
    })();
  }, [rules, target, loaded, scalarPath]);

  // The spheres as meshes in the scene (3D, and clipped near the slice in 2D).
  const sphereMesh = useRef<NVMesh[]>([]);
  useEffect(() => {
    const old = sphereMesh.current;
    const waypointSpheres = waypoints.flatMap((w): Sphere[] =>
      'sphere' in w
        ? [{ kind: 'include', x: w.sphere[0], y: w.sphere[1], z: w.sphere[2], r: w.sphere[3] }]
        : [],
    );
    sphereMesh.current = sphereMeshes(nv, [...spheres, ...waypointSpheres]);
    swapMeshes(nv, old, sphereMesh.current);
  }, [nv, spheres, waypoints]);

  async function saveBatch(): Promise<void> {
    const name = window.prompt('Batch name', 'tract-selection');
    if (name === null || name.trim() === '' || target === undefined) return;
    if (masks.length > 0 || waypoints.some((w) => 'mask' in w)) {
      onMessage(
        "A selection with masks cannot be saved as a batch yet: a mask is one study's file. Use spheres, or run `cohort tracts select --recipe` with each study's mask.",
      );
      return;
    }
    try {
      const info = await api<PathInfo>(
        'GET',
        projectPath(project, `file?${new URLSearchParams({ path: target }).toString()}`),
      );
      const sphereRules = rules.filter((r): r is RecipeRule => !('mask' in r));
      const batch = recipeBatch({
        name: name.trim(),
        tractPattern: info.file?.path ?? `*/${target.split('/').pop() ?? ''}`,
        rules: sphereRules,
      });
      await api('POST', projectPath(project, 'batches'), { body: { batch, folder: 'tract-selections' } });
      onMessage(
        `Saved the batch tract-selections/${name.trim()}: open it in the composer to run it over the cohort.`,
      );
    } catch (e) {
      onMessage(describeError(e));
    }
  }

  if (paths.length === 0) return null;
  const stats = selection?.header.selection;
  return (
    <fieldset className="layer tracts" aria-label="Tracts">
      <legend>Tracts</legend>
      {loaded.map((l) => (
        <div key={l.path} className="tract-file">
          <span title={l.path}>{l.path.split('/').pop()}</span>{' '}
          <span data-testid="tract-count">
            {l.header.shown.toLocaleString('en')} of {l.header.total.toLocaleString('en')} streamlines shown
          </span>
          {l.header.stride > 1 && <span> (every {l.header.stride}th, at most 10 million vertices)</span>}{' '}
          <button type="button" onClick={() => onRemove(l.path)}>
            Remove
          </button>
        </div>
      ))}
      <label>
        Colour
        <select
          aria-label="Tract colour"
          value={colouring}
          onChange={(e) => setColouring(e.target.value as FiberColouring)}
        >
          <option value="direction">by direction</option>
          <option value="scalar">by an image along them</option>
          <option value="fixed">one colour</option>
        </select>
      </label>
      {(colouring === 'scalar' || rules.length > 0) && (
        <label>
          Scalar image
          <select
            aria-label="Scalar image"
            value={scalarPath ?? ''}
            onChange={(e) => setScalar(e.target.value)}
          >
            <option value="">none</option>
            {volumes.map((v) => (
              <option key={v} value={v}>
                {v.split('/').pop()}
              </option>
            ))}
          </select>
        </label>
      )}
      <SpherePanel spheres={spheres} onChange={setSpheres} locationListeners={locationListeners} />
      <RegionRulesPanel
        images={images}
        masks={masks}
        waypoints={waypoints}
        onMasks={setMasks}
        onWaypoints={setWaypoints}
        locationListeners={locationListeners}
      />
      {stats !== undefined && selection !== null && (
        <div className="selection-stats" aria-label="Selection statistics">
          <div>
            selected <strong data-testid="selected-count">{selection.header.total}</strong> of{' '}
            {stats.fileTotal.toLocaleString('en')} ({selection.header.shown} shown)
          </div>
          <div>mean length {stats.meanLength === null ? '–' : `${stats.meanLength.toFixed(1)} mm`}</div>
          {scalarPath !== undefined && (
            <div>
              mean {scalarPath.split('/').pop()}{' '}
              {stats.meanScalar === null ? '–' : stats.meanScalar.toPrecision(4)}
            </div>
          )}
          <div className="muted">
            server {stats.ms} ms{pending ? ', updating…' : ''}
          </div>
          <button type="button" onClick={() => void saveBatch()}>
            Save as batch
          </button>
        </div>
      )}
    </fieldset>
  );
}
