import { useEffect, useState } from 'react';
import type { CrosshairLocation } from './use-niivue.js';

/** Keep (include) or drop (exclude) the streamlines with a point inside a mask image of the study. */
export interface MaskRule {
  readonly kind: 'include' | 'exclude';
  /** The mask's path relative to the project root (the server checks it like every file). */
  readonly mask: string;
}

/** One waypoint of an ordered rule: a sphere (x, y, z, r in world mm) or a mask. */
export type Waypoint =
  { readonly sphere: readonly [number, number, number, number] } | { readonly mask: string };

const name = (path: string): string => path.split('/').pop() ?? path;

/**
 * Mask rules and ordered waypoints, the selection rules beyond spheres (as `cohort tracts select
 * --include MASK --exclude MASK --ordered A --ordered B`): masks are chosen among the study's images;
 * a waypoint is a sphere placed at the crosshair (then edited) or a mask; waypoints are passed in
 * their listed order, and count once there are two.
 */
export function RegionRulesPanel({
  images,
  masks,
  waypoints,
  onMasks,
  onWaypoints,
  locationListeners,
}: {
  readonly images: readonly string[];
  readonly masks: readonly MaskRule[];
  readonly waypoints: readonly Waypoint[];
  readonly onMasks: (masks: readonly MaskRule[]) => void;
  readonly onWaypoints: (waypoints: readonly Waypoint[]) => void;
  readonly locationListeners: Set<(l: CrosshairLocation) => void>;
}) {
  const [here, setHere] = useState<readonly [number, number, number]>([0, 0, 0]);
  useEffect(() => {
    const listener = (l: CrosshairLocation): void => setHere(l.mm);
    locationListeners.add(listener);
    return () => {
      locationListeners.delete(listener);
    };
  }, [locationListeners]);

  const editWaypoint = (i: number, next: Waypoint): void =>
    onWaypoints(waypoints.map((w, k) => (k === i ? next : w)));
  const move = (i: number, by: -1 | 1): void => {
    const next = [...waypoints];
    const [w] = next.splice(i, 1);
    if (w !== undefined) next.splice(i + by, 0, w);
    onWaypoints(next);
  };
  return (
    <>
      <div className="masks" role="group" aria-label="Mask rules">
        <label>
          + mask
          <select
            aria-label="Add mask"
            value=""
            onChange={(e) =>
              e.target.value !== '' && onMasks([...masks, { kind: 'include', mask: e.target.value }])
            }
          >
            <option value="">choose an image of the study…</option>
            {images.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        {masks.map((m, i) => (
          <div key={i} className={`sphere ${m.kind}`} role="group" aria-label={`Mask ${i + 1}`}>
            <select
              aria-label="Kind"
              value={m.kind}
              onChange={(e) =>
                onMasks(
                  masks.map((x, k) => (k === i ? { ...x, kind: e.target.value as MaskRule['kind'] } : x)),
                )
              }
            >
              <option value="include">include</option>
              <option value="exclude">exclude</option>
            </select>
            <span title={m.mask}>{name(m.mask)}</span>
            <button
              type="button"
              aria-label="Remove mask"
              onClick={() => onMasks(masks.filter((_, k) => k !== i))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
      <div className="waypoints" role="group" aria-label="Waypoints">
        <div>
          Waypoints, in order{' '}
          <button
            type="button"
            onClick={() => {
              const [x, y, z] = here.map((v) => Math.round(v * 10) / 10) as [number, number, number];
              onWaypoints([...waypoints, { sphere: [x, y, z, 5] }]);
            }}
          >
            + waypoint at the crosshair
          </button>
          <select
            aria-label="Add waypoint mask"
            value=""
            onChange={(e) => e.target.value !== '' && onWaypoints([...waypoints, { mask: e.target.value }])}
          >
            <option value="">+ waypoint mask…</option>
            {images.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        {waypoints.length === 1 && <div className="muted">Add a second waypoint: they count from two.</div>}
        {waypoints.map((w, i) => (
          <div key={i} className="sphere" role="group" aria-label={`Waypoint ${i + 1}`}>
            <strong>{i + 1}.</strong>
            {'sphere' in w ? (
              (['x', 'y', 'z', 'r'] as const).map((axis, a) => (
                <input
                  key={axis}
                  aria-label={axis}
                  type="number"
                  step="any"
                  min={axis === 'r' ? 0.5 : undefined}
                  value={w.sphere[a]}
                  onChange={(e) => {
                    const sphere = [...w.sphere] as [number, number, number, number];
                    sphere[a] = Number(e.target.value);
                    editWaypoint(i, { sphere });
                  }}
                />
              ))
            ) : (
              <span title={w.mask}>{name(w.mask)}</span>
            )}
            <button type="button" aria-label="Earlier" disabled={i === 0} onClick={() => move(i, -1)}>
              ↑
            </button>
            <button
              type="button"
              aria-label="Later"
              disabled={i === waypoints.length - 1}
              onClick={() => move(i, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              aria-label="Remove waypoint"
              onClick={() => onWaypoints(waypoints.filter((_, k) => k !== i))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}
