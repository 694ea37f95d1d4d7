import { Niivue, SLICE_TYPE } from '@niivue/niivue';
import { useEffect, useRef, useState } from 'react';

/** Where the crosshair is: world mm, voxel of each volume, and the value under it per volume. */
export interface CrosshairLocation {
  readonly mm: readonly [number, number, number];
  readonly values: readonly { name: string; vox: readonly number[]; value: number }[];
}

export { SLICE_TYPE };

/**
 * A Niivue bound to a canvas for the component's life. `onLocation` gets every crosshair move (click,
 * drag, keys). The instance is null until WebGL2 is up; `error` says why when it cannot be.
 */
export function useNiivue(onLocation: (location: CrosshairLocation) => void): {
  canvas: React.RefObject<HTMLCanvasElement | null>;
  nv: Niivue | null;
  error: string | null;
} {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [nv, setNv] = useState<Niivue | null>(null);
  const [error, setError] = useState<string | null>(null);
  const listener = useRef(onLocation);
  listener.current = onLocation;
  useEffect(() => {
    const element = canvas.current;
    if (element === null) return;
    const instance = new Niivue({
      backColor: [0, 0, 0, 1],
      show3Dcrosshair: true,
      // Cyan: neither a direction colour of the tracts (red, green, blue) nor an overlay's red.
      crosshairColor: [0, 1, 1, 1],
      dragAndDropEnabled: false,
      isColorbar: false,
      // Tracts in 2D: only what lies within this many mm of the slice (Infinity would flatten them all).
      meshThicknessOn2D: 3,
    });
    instance.onLocationChange = (raw: unknown) => {
      const d = raw as {
        mm: ArrayLike<number>;
        values: { name: string; vox: ArrayLike<number>; value: number }[];
      };
      listener.current({
        mm: [d.mm[0] ?? 0, d.mm[1] ?? 0, d.mm[2] ?? 0],
        // niivue's `vox` counts in its RAS-reoriented copy; users (and MRtrix, FSL) mean the file's indices.
        values: d.values.map((v, i) => {
          const affine = instance.volumes[i]?.hdr?.affine;
          return {
            name: v.name,
            vox: affine === undefined ? Array.from(v.vox).slice(0, 3) : fileVoxel(affine, d.mm),
            value: v.value,
          };
        }),
      });
    };
    let live = true;
    instance.attachToCanvas(element).then(
      () => {
        if (live) setNv(instance);
      },
      (e: unknown) => setError(`WebGL2 is not available: ${(e as Error).message}`),
    );
    return () => {
      live = false;
      // Frees the GL context: a page visited again builds a fresh one.
      element.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
    };
  }, []);
  return { canvas, nv, error };
}

/** The file's voxel indices (rounded) of a world point, through the image's voxel-to-world affine. */
export function fileVoxel(affine: readonly (readonly number[])[], mm: ArrayLike<number>): number[] {
  const m = (r: number, c: number): number => affine[r]?.[c] ?? 0;
  const [a, b, c, d, e, f, g, h, k] = [
    m(0, 0),
    m(0, 1),
    m(0, 2),
    m(1, 0),
    m(1, 1),
    m(1, 2),
    m(2, 0),
    m(2, 1),
    m(2, 2),
  ];
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  const p = [0, 1, 2].map((r) => (mm[r] ?? 0) - m(r, 3));
  const [x = 0, y = 0, z = 0] = p;
  const inv = [
    [e * k - f * h, c * h - b * k, b * f - c * e],
    [f * g - d * k, a * k - c * g, c * d - a * f],
    [d * h - e * g, b * g - a * h, a * e - b * d],
  ];
  return inv.map((row) => Math.round(((row[0] ?? 0) * x + (row[1] ?? 0) * y + (row[2] ?? 0) * z) / det));
}
