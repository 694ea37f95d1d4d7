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
        values: d.values.map((v) => ({ name: v.name, vox: Array.from(v.vox).slice(0, 3), value: v.value })),
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
      (element.getContext('webgl2'))
        ?.getExtension('WEBGL_lose_context')
        ?.loseContext();
    };
  }, []);
  return { canvas, nv, error };
}
