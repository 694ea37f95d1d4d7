import { NVMesh, type Niivue } from '@niivue/niivue';
import type { Sphere } from './sphere-panel.js';

const RINGS = 10;
const SEGMENTS = 16;

/** A UV sphere as niivue triangle mesh arrays (world mm). */
function sphereArrays(s: Sphere): { pts: Float32Array; tris: Uint32Array } {
  const pts: number[] = [];
  for (let r = 0; r <= RINGS; r++) {
    const phi = (Math.PI * r) / RINGS;
    for (let k = 0; k < SEGMENTS; k++) {
      const theta = (2 * Math.PI * k) / SEGMENTS;
      pts.push(
        s.x + s.r * Math.sin(phi) * Math.cos(theta),
        s.y + s.r * Math.sin(phi) * Math.sin(theta),
        s.z + s.r * Math.cos(phi),
      );
    }
  }
  const tris: number[] = [];
  for (let r = 0; r < RINGS; r++)
    for (let k = 0; k < SEGMENTS; k++) {
      const a = r * SEGMENTS + k;
      const b = r * SEGMENTS + ((k + 1) % SEGMENTS);
      tris.push(a, a + SEGMENTS, b, b, a + SEGMENTS, b + SEGMENTS);
    }
  return { pts: Float32Array.from(pts), tris: Uint32Array.from(tris) };
}

/** The spheres as half-transparent niivue meshes: green include, red exclude. */
export function sphereMeshes(nv: Niivue, spheres: readonly Sphere[]): NVMesh[] {
  return spheres.map((s, i) => {
    const { pts, tris } = sphereArrays(s);
    const colour = s.kind === 'include' ? [40, 200, 40, 255] : [220, 40, 40, 255];
    return new NVMesh(pts, tris, `sphere ${i + 1}`, new Uint8Array(colour), 0.5, true, nv.gl);
  });
}
