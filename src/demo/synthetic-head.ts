import type { Nifti1Datatype, Nifti1Image } from './nifti1.js';
import { SeededRandom } from './seeded-random.js';

/** The tissue classes of the synthetic head, in the order their weights are computed. */
export const HEAD_TISSUES = ['background', 'scalp', 'skull', 'gm', 'wm', 'csf', 'lesion'] as const;
export type HeadTissue = (typeof HEAD_TISSUES)[number];

/** Intensity per tissue: what makes a T1 look like a T1 and a FLAIR like a FLAIR. */
export type HeadContrast = Readonly<Record<HeadTissue, number>>;

/** What to draw. Every number is deterministic in `anatomySeed` and `noiseSeed`. */
export interface SyntheticHeadSpec {
  /** Spatial size `[nx, ny, nz]`. */
  readonly dims: readonly [number, number, number];
  /** Voxel size in mm, then the repetition time in seconds for 4D images. */
  readonly pixdim: readonly number[];
  readonly datatype: Nifti1Datatype;
  readonly contrast: HeadContrast;
  /**
   * Per-frame multipliers of each tissue's intensity; one entry per volume of a 4D image (a DWI's b=0
   * and weighted volumes, a BOLD time course). Absent: a 3D image.
   */
  readonly frames?: ReadonlyArray<Partial<Record<HeadTissue, number>>>;
  /** Shapes the head (size, position, lesion site): the same subject gets the same head in every image. */
  readonly anatomySeed: number;
  /** Seeds the noise: differs per image. */
  readonly noiseSeed: number;
  /** Noise standard deviation in intensity units (Rician, as in magnitude images). Default 2% of wm. */
  readonly noise?: number;
  /** Draw a small lesion (patients): bright on FLAIR, given its own `contrast.lesion`. */
  readonly lesion?: boolean;
  readonly description?: string;
}

/** Half-width of the soft tissue edges in normalised radius units: wide enough for smooth partial volumes. */
const EDGE = 0.08;

/**
 * Standard normal samples, picked at random per voxel. Box-Muller per voxel costs a log, a sine and a
 * cosine (V8 computes them in software) and made the demo several times slower; 4096 fixed samples
 * looked up at random are indistinguishable as image noise.
 */
const GAUSSIAN_TABLE = ((random: SeededRandom) => Float64Array.from({ length: 4096 }, () => random.normal()))(
  new SeededRandom(0x9e3779b9),
);

interface Ellipsoid {
  readonly c: readonly [number, number, number];
  readonly r: readonly [number, number, number];
}

/**
 * Draws a plausible synthetic head: background, scalp, skull, grey and white matter, two ventricles and
 * optionally a lesion, with soft edges, a gentle bias field and Rician noise, so the image looks like an
 * MR scan in a viewer while staying tiny. Coordinates are normalised to [-1, 1] per axis.
 */
export function syntheticHead(spec: SyntheticHeadSpec): Nifti1Image {
  const [nx, ny, nz] = spec.dims;
  const frames = spec.frames ?? [{}];
  const shape = headShape(new SeededRandom(spec.anatomySeed), spec.lesion === true);
  const noiseRandom = new SeededRandom(spec.noiseSeed);
  const sigma = spec.noise ?? 0.02 * spec.contrast.wm;
  const spatial = nx * ny * nz;
  const int16 = spec.datatype === 'int16';
  const data = int16 ? new Int16Array(spatial * frames.length) : new Float32Array(spatial * frames.length);
  // Intensity per frame and tissue, flattened: the voxel loop below runs a million times and must not allocate.
  const levels = Float64Array.from(
    frames.flatMap((frame) => HEAD_TISSUES.map((tissue) => spec.contrast[tissue] * (frame[tissue] ?? 1))),
  );
  const weights = new Float64Array(HEAD_TISSUES.length);
  const tissues = HEAD_TISSUES.length;

  for (let z = 0, i = 0; z < nz; z++) {
    const pz = norm(z, nz);
    for (let y = 0; y < ny; y++) {
      const py = norm(y, ny);
      for (let x = 0; x < nx; x++, i++) {
        const px = norm(x, nx);
        tissueWeights(shape, px, py, pz, weights);
        const bias = 1 + 0.06 * px + 0.04 * pz;
        for (let t = 0; t < frames.length; t++) {
          let value = 0;
          for (let k = 0; k < tissues; k++) value += (weights[k] ?? 0) * (levels[t * tissues + k] ?? 0);
          // Rician noise: the magnitude of a complex signal with Gaussian noise in both channels.
          const re = value * bias + sigma * gaussian(noiseRandom);
          const im = sigma * gaussian(noiseRandom);
          const magnitude = Math.sqrt(re * re + im * im);
          data[t * spatial + i] = int16 ? Math.min(32767, Math.round(magnitude)) : magnitude;
        }
      }
    }
  }
  const dims = spec.frames === undefined ? [nx, ny, nz] : [nx, ny, nz, frames.length];
  return { dims, pixdim: spec.pixdim, datatype: spec.datatype, data, description: spec.description };
}

/**
 * The tissue label image of the head `syntheticHead(spec)` draws (same anatomy seed, dims and voxel
 * size): per voxel the index in `HEAD_TISSUES` of the tissue with the largest weight (0 background,
 * 1 scalp, 2 skull, 3 gm, 4 wm, 5 csf, 6 lesion), as int16. Ground truth for segmentation tests; the
 * brain is labels 3 to 6.
 */
export function syntheticHeadLabels(spec: SyntheticHeadSpec): Nifti1Image {
  const [nx, ny, nz] = spec.dims;
  const shape = headShape(new SeededRandom(spec.anatomySeed), spec.lesion === true);
  const data = new Int16Array(nx * ny * nz);
  const weights = new Float64Array(HEAD_TISSUES.length);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        tissueWeights(shape, norm(x, nx), norm(y, ny), norm(z, nz), weights);
        let best = 0;
        for (let k = 1; k < weights.length; k++) if ((weights[k] ?? 0) > (weights[best] ?? 0)) best = k;
        data[i] = best;
      }
    }
  }
  return {
    dims: [nx, ny, nz],
    pixdim: spec.pixdim.slice(0, 3),
    datatype: 'int16',
    data,
    description: 'tissue labels',
  };
}

interface HeadShape {
  readonly head: Ellipsoid;
  readonly skull: Ellipsoid;
  readonly brain: Ellipsoid;
  readonly wm: Ellipsoid;
  readonly ventricles: readonly Ellipsoid[];
  readonly lesion: Ellipsoid | null;
}

/** Subject-specific geometry: a few percent of jitter in size and position, and a lesion site. */
function headShape(random: SeededRandom, lesion: boolean): HeadShape {
  const jitter = (): number => random.uniform(-0.03, 0.03);
  const c = [jitter(), jitter(), jitter()] as const;
  const s = random.uniform(0.95, 1.03);
  const at = (dx: number, dy: number, dz: number): [number, number, number] => [
    c[0] + dx,
    c[1] + dy,
    c[2] + dz,
  ];
  const scaled = (a: number, b: number, d: number): [number, number, number] => [a * s, b * s, d * s];
  const side = random.next() < 0.5 ? -1 : 1;
  return {
    head: { c, r: scaled(0.86, 0.9, 0.84) },
    skull: { c, r: scaled(0.8, 0.84, 0.78) },
    brain: { c: at(0, 0.02, 0.03), r: scaled(0.73, 0.78, 0.7) },
    wm: { c: at(0, 0.02, 0.06), r: scaled(0.5, 0.58, 0.46) },
    ventricles: [-1, 1].map((k) => ({ c: at(0.1 * k, 0.02, 0.08), r: scaled(0.07, 0.26, 0.13) })),
    lesion: lesion
      ? {
          c: at(side * random.uniform(0.25, 0.4), random.uniform(-0.2, 0.3), random.uniform(0.1, 0.3)),
          r: scaled(0.1, 0.1, 0.12),
        }
      : null,
  };
}

/** Fills `out` with a partition of unity over `HEAD_TISSUES` at point (x, y, z). */
function tissueWeights(shape: HeadShape, x: number, y: number, z: number, out: Float64Array): void {
  out.fill(0);
  const brain = inside(shape.brain, x, y, z);
  // Soft edges of nested shells can overlap: taking maxima outwards keeps the weights summing to 1.
  const skull = Math.max(brain, inside(shape.skull, x, y, z));
  const head = Math.max(skull, inside(shape.head, x, y, z));
  out[0] = 1 - head;
  out[1] = head - skull;
  out[2] = skull - brain;
  // Most voxels lie outside the brain: the inner structures need not be visited there.
  if (brain === 0) return;
  const wm = inside(shape.wm, x, y, z);
  let csf = 0;
  for (const ventricle of shape.ventricles) csf = Math.max(csf, inside(ventricle, x, y, z));
  const lesion = shape.lesion === null ? 0 : inside(shape.lesion, x, y, z);
  const parenchyma = brain * (1 - csf) * (1 - lesion);
  out[3] = parenchyma * (1 - wm);
  out[4] = parenchyma * wm;
  out[5] = brain * csf;
  out[6] = brain * (1 - csf) * lesion;
}

/** Soft membership of a point in an ellipsoid: 1 inside, 0 outside, a smoothstep ramp across the edge. */
function inside(e: Ellipsoid, x: number, y: number, z: number): number {
  const u = (x - e.c[0]) / e.r[0];
  const v = (y - e.c[1]) / e.r[1];
  const w = (z - e.c[2]) / e.r[2];
  const d = Math.sqrt(u * u + v * v + w * w);
  if (d >= 1 + EDGE) return 0;
  if (d <= 1 - EDGE) return 1;
  const t = (1 + EDGE - d) / (2 * EDGE); // 0 at the outer edge, 1 at the inner one
  return t * t * (3 - 2 * t);
}

function gaussian(random: SeededRandom): number {
  return GAUSSIAN_TABLE[Math.floor(random.next() * GAUSSIAN_TABLE.length)] ?? 0;
}

function norm(index: number, size: number): number {
  return size === 1 ? 0 : (2 * index) / (size - 1) - 1;
}
