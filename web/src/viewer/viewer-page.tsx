import type { NVImage } from '@niivue/niivue';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { FileRow, Page, PathInfo } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { useStoredFlag } from '../shared/use-stored-flag.js';
import { loadVolume } from './load-volume.js';
import { TractPanel } from './tract-panel.js';
import { SLICE_TYPE, useNiivue, type CrosshairLocation } from './use-niivue.js';
import { VolumeControls } from './volume-controls.js';
import { isTractFile, isViewable, parseViewerHash, viewerHash } from './viewer-url.js';
import './viewer.css';

const OVERLAY_COLORMAPS = ['red', 'green', 'blue', 'warm', 'cool'];
const VIEWS: readonly [string, SLICE_TYPE][] = [
  ['Axial', SLICE_TYPE.AXIAL],
  ['Coronal', SLICE_TYPE.CORONAL],
  ['Sagittal', SLICE_TYPE.SAGITTAL],
  ['Multiplanar', SLICE_TYPE.MULTIPLANAR],
  ['3D', SLICE_TYPE.RENDER],
];

/** The files the hash names, kept in step with it. */
function useViewerFiles(): string[] {
  const [files, setFiles] = useState(() => parseViewerHash(window.location.hash).files);
  useEffect(() => {
    const update = (): void => {
      const next = parseViewerHash(window.location.hash);
      if (next.project !== undefined || next.files.length > 0) setFiles(next.files);
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return files;
}

/**
 * The viewer (niivue, WebGL2): NIfTI images of one study as background and overlays, tract files as
 * streamlines in the same world space, crosshair coordinates and values, slice / multiplanar / 3D
 * views, and sphere selection over the tracts. The files come from the URL (`viewer-url.ts`).
 */
export function ViewerPage() {
  const { project } = useApp();
  const files = useViewerFiles();
  const [location, setLocation] = useState<CrosshairLocation | null>(null);
  const locationListeners = useRef(new Set<(l: CrosshairLocation) => void>());
  const onLocation = useCallback((l: CrosshairLocation) => {
    setLocation(l);
    for (const listener of locationListeners.current) listener(l);
  }, []);
  const { canvas, nv, error } = useNiivue(onLocation);
  const [volumes, setVolumes] = useState<readonly NVImage[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const [view, setView] = useState<SLICE_TYPE>(SLICE_TYPE.AXIAL);
  const [studyFiles, setStudyFiles] = useState<readonly FileRow[]>([]);
  const [quick, setQuick] = useStoredFlag('cohort.viewer.preview', true);
  const loaded = useRef(new Map<string, NVImage>());
  const imagePaths = files.filter((f) => !isTractFile(f));
  const tractPaths = files.filter(isTractFile);
  const setFiles = (next: readonly string[]): void => {
    window.location.hash = viewerHash(project.name, next);
  };

  // Volumes: load the ones the URL adds, drop the ones it removes, in the URL's order.
  useEffect(() => {
    if (nv === null) return;
    let live = true;
    void (async () => {
      for (const [path, image] of loaded.current) {
        if (!imagePaths.includes(path)) {
          nv.removeVolume(image);
          loaded.current.delete(path);
        }
      }
      for (const [i, path] of imagePaths.entries()) {
        if (loaded.current.has(path)) continue;
        setLoading(path);
        const started = performance.now();
        try {
          await loadVolume(nv, {
            url: (route) => projectPath(project.name, `${route}?${new URLSearchParams({ path }).toString()}`),
            name: path.split('/').pop() ?? path,
            colormap: i === 0 ? 'gray' : (OVERLAY_COLORMAPS[(i - 1) % OVERLAY_COLORMAPS.length] ?? 'red'),
            opacity: i === 0 ? 1 : 0.5,
            preview: quick,
            onFirstFrame: (image) => {
              loaded.current.set(path, image);
              // Time to the first frame with this image, from the request and from the page's start
              // (docs/benchmarks.md reads both).
              canvas.current?.setAttribute(
                'data-first-frame-ms',
                String(Math.round(performance.now() - started)),
              );
              canvas.current?.setAttribute('data-first-frame-page-ms', String(Math.round(performance.now())));
              if (live) setVolumes([...nv.volumes]);
            },
            onFull: (image) => {
              loaded.current.set(path, image);
              canvas.current?.setAttribute('data-full-page-ms', String(Math.round(performance.now())));
            },
          });
        } catch (e) {
          setMessage(`Cannot open ${path}: ${describeError(e)}`);
        }
      }
      if (!live) return;
      setLoading(null);
      setVolumes([...nv.volumes]);
      canvas.current?.setAttribute('data-volumes', String(nv.volumes.length));
    })();
    return () => {
      live = false;
    };
  }, [nv, imagePaths.join('\n'), project.name, quick]);

  useEffect(() => {
    nv?.setSliceType(view);
  }, [nv, view]);

  // The study's other viewable files, to add as overlays or tracts.
  const first = files[0];
  useEffect(() => {
    if (first === undefined) return;
    let live = true;
    void (async () => {
      try {
        const info = await api<PathInfo>(
          'GET',
          projectPath(project.name, `file?${new URLSearchParams({ path: first }).toString()}`),
        );
        const ref = info.file?.ref;
        if (ref === undefined) return;
        const page = await api<Page<FileRow>>(
          'GET',
          projectPath(
            project.name,
            `files?${new URLSearchParams({ filter: ref.split('#')[0] ?? ref, limit: '1000' }).toString()}`,
          ),
        );
        if (live) setStudyFiles(page.items.filter((f) => f.ref === ref && isViewable(f.path)));
      } catch (e) {
        if (live) setMessage(describeError(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [first, project.name]);

  const back = volumes[0];
  return (
    <div className="viewer-page">
      <aside className="viewer-side">
        <div className="views" role="group" aria-label="View">
          {VIEWS.map(([label, type]) => (
            <button key={label} type="button" aria-pressed={view === type} onClick={() => setView(type)}>
              {label}
            </button>
          ))}
        </div>
        <div className="crosshair" aria-label="Crosshair">
          {location === null ? (
            <span>Click the image to place the crosshair.</span>
          ) : (
            <>
              <div data-testid="crosshair-mm">mm {location.mm.map((v) => v.toFixed(1)).join(', ')}</div>
              {location.values.map((v, i) => (
                <div key={i} data-testid={i === 0 ? 'crosshair-voxel' : undefined}>
                  {v.name}: voxel {v.vox.map((x) => Math.round(x)).join(', ')} = {fmt(v.value)}
                </div>
              ))}
            </>
          )}
        </div>
        {loading !== null && <p className="loading">Loading {loading}…</p>}
        <label className="quick-preview">
          <input type="checkbox" checked={quick} onChange={(e) => setQuick(e.target.checked)} />
          quick preview of large images (downsampled first, then full)
        </label>
        {message !== null && (
          <p className="error" role="alert">
            {message}
          </p>
        )}
        {nv !== null &&
          volumes.map((v, i) => (
            <VolumeControls
              key={v.id}
              nv={nv}
              volume={v}
              index={i}
              onRemove={() => setFiles(files.filter((f) => loaded.current.get(f) !== v))}
            />
          ))}
        {nv !== null && (
          <TractPanel
            nv={nv}
            project={project.name}
            paths={tractPaths}
            volumes={imagePaths}
            images={[
              ...new Set([
                ...imagePaths,
                ...studyFiles.map((f) => f.rootPath).filter((p) => !isTractFile(p)),
              ]),
            ]}
            locationListeners={locationListeners.current}
            onRemove={(path) => setFiles(files.filter((f) => f !== path))}
            onMessage={setMessage}
          />
        )}
        {studyFiles.length > 0 && (
          <label className="add-file">
            Add from this study
            <select
              aria-label="Add file"
              value=""
              onChange={(e) => e.target.value !== '' && setFiles([...files, e.target.value])}
            >
              <option value="">choose a file…</option>
              {studyFiles
                .filter((f) => !files.includes(f.rootPath))
                .map((f) => (
                  <option key={f.fileId} value={f.rootPath}>
                    {f.path}
                  </option>
                ))}
            </select>
          </label>
        )}
      </aside>
      <div className="viewer-canvas">
        {error !== null && <p className="error">{error}</p>}
        {files.length === 0 && (
          <p className="hint">
            Open an image or tract file from the subjects table (files view) or a task&apos;s outputs in the
            grid.
          </p>
        )}
        <canvas ref={canvas} aria-label="Viewer canvas" data-back={back?.name ?? ''} />
      </div>
    </div>
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
