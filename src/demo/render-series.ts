import type { DemoScanner, DemoSeriesConvention, DemoSeriesKind } from './demo-scanners.js';
import { encodeNifti1 } from './nifti1.js';
import type { DemoSeriesPlan } from './plan-demo-project.js';
import { deriveSeed } from './seeded-random.js';
import { syntheticHead, type HeadContrast, type HeadTissue } from './synthetic-head.js';

/** What one series needs to render: where it sits and how it was acquired. */
export interface SeriesContext {
  readonly seed: number;
  readonly pid: string;
  readonly sid: string;
  readonly patient: boolean;
  readonly scanner: DemoScanner;
  readonly convention: DemoSeriesConvention;
  readonly series: DemoSeriesPlan;
}

/** A file of a series: its name in the series folder and its exact content. */
export interface RenderedFile {
  readonly name: string;
  readonly content: Buffer | string;
}

/** b-value of the diffusion-weighted volumes, s/mm². */
const B_VALUE = 1000;
/** The classic 6-direction DTI scheme, scaled to unit vectors. */
const DIRECTIONS_6 = [
  [1, 0, 1],
  [-1, 0, 1],
  [0, 1, 1],
  [0, 1, -1],
  [1, 1, 0],
  [-1, 1, 0],
].map((g) => g.map((c) => c / Math.SQRT2));
/** Time points of the resting-state series: enough to be 4D, few enough to keep the demo small. */
const BOLD_FRAMES = 5;

/** Size per kind: the head is about 192 x 224 x 168 mm at any resolution; sizes stay tiny on purpose. */
const GEOMETRY: Readonly<Record<DemoSeriesKind, { dims: [number, number, number]; voxel: number[] }>> = {
  t1: { dims: [32, 32, 24], voxel: [6, 7, 7] },
  flair: { dims: [32, 32, 12], voxel: [6, 7, 14] },
  t2: { dims: [32, 32, 12], voxel: [6, 7, 14] },
  dwi: { dims: [16, 16, 10], voxel: [12, 14, 16.8] },
  bold: { dims: [16, 16, 10], voxel: [12, 14, 16.8] },
};

/** Tissue intensities per contrast: bone dark everywhere, CSF dark on T1 and FLAIR, bright on T2 and b=0; lesions bright on FLAIR. */
const CONTRAST: Readonly<Record<DemoSeriesKind, HeadContrast>> = {
  t1: { background: 0, skull: 60, scalp: 700, gm: 600, wm: 900, csf: 180, lesion: 380 },
  flair: { background: 0, skull: 40, scalp: 500, gm: 700, wm: 550, csf: 90, lesion: 1300 },
  t2: { background: 0, skull: 70, scalp: 500, gm: 900, wm: 700, csf: 1600, lesion: 1400 },
  dwi: { background: 0, skull: 50, scalp: 400, gm: 900, wm: 800, csf: 1400, lesion: 1000 },
  bold: { background: 0, skull: 40, scalp: 300, gm: 800, wm: 650, csf: 1000, lesion: 800 },
};

/** Intensity scale per site: the same tissue reads differently on every scanner, as in real cohorts. */
const SITE_GAIN: Readonly<Record<DemoScanner['id'], number>> = { A: 1, B: 0.8, C: 1.15 };

/**
 * Renders every file of a series, in `series.files` order: the NIfTI image, the dcm2niix-style JSON
 * sidecar, the gradient tables of a DWI and any extra copies of the image.
 */
export function renderSeries(context: SeriesContext): RenderedFile[] {
  const { series, scanner, convention } = context;
  const kind = series.kind;
  const image = encodeNifti1(headImage(context), { gzip: scanner.extension === '.nii.gz' });
  const files = new Map<string, Buffer | string>([
    [`${convention.base}${scanner.extension}`, image],
    [`${convention.base}.json`, sidecar(context)],
  ]);
  if (kind === 'dwi') {
    const bvals = [0, ...DIRECTIONS_6.map(() => B_VALUE)];
    const bvecs = [0, 1, 2].map((axis) => [0, ...DIRECTIONS_6.map((g) => g[axis] ?? 0)]);
    files.set(`${convention.base}.bval`, `${bvals.join('\t')}\n`);
    files.set(
      `${convention.base}.bvec`,
      bvecs.map((row) => `${row.map(formatNumber).join('\t')}\n`).join(''),
    );
  }
  for (const copy of series.copies) files.set(copy, image);
  return series.files.map((name) => {
    const content = files.get(name);
    if (content === undefined) throw new Error(`no content rendered for ${name}`);
    return { name, content };
  });
}

function headImage({
  seed,
  pid,
  sid,
  patient,
  scanner,
  convention,
  series,
}: SeriesContext): ReturnType<typeof syntheticHead> {
  const kind = series.kind;
  const { dims, voxel } = GEOMETRY[kind];
  const gain = SITE_GAIN[scanner.id];
  const contrast = Object.fromEntries(
    Object.entries(CONTRAST[kind]).map(([t, v]) => [t, v * gain]),
  ) as HeadContrast;
  const frames = framesOf(kind);
  return syntheticHead({
    dims,
    pixdim: frames === undefined ? voxel : [...voxel, convention.repetitionTime],
    datatype: kind === 'bold' ? 'float32' : 'int16',
    contrast,
    frames,
    anatomySeed: deriveSeed(seed, pid),
    noiseSeed: deriveSeed(seed, pid, sid, series.folder),
    lesion: patient,
    description: `cohort demo ${pid} ${sid} ${convention.description}`
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, ''),
  });
}

/** Per-volume tissue multipliers: DWI attenuation by direction (white matter fibres run left-right), BOLD drift. */
function framesOf(kind: DemoSeriesKind): Array<Partial<Record<HeadTissue, number>>> | undefined {
  if (kind === 'dwi') {
    const weighted = DIRECTIONS_6.map((g) => ({
      scalp: 0.25,
      gm: 0.45,
      wm: 0.25 + 0.4 * (g[0] ?? 0) ** 2,
      csf: 0.05,
      lesion: 0.75,
    }));
    return [{}, ...weighted];
  }
  if (kind === 'bold') {
    return Array.from({ length: BOLD_FRAMES }, (_, t) => {
      const phase = (2 * Math.PI * t) / BOLD_FRAMES;
      return {
        gm: 1 + 0.02 * Math.sin(phase),
        wm: 1 + 0.005 * Math.sin(phase),
        csf: 1 + 0.01 * Math.cos(phase),
      };
    });
  }
  return undefined;
}

/** The JSON sidecar dcm2niix writes beside each image (tab-indented, times in seconds). */
function sidecar({ scanner, convention, series }: SeriesContext): string {
  const diffusionOrBold = series.kind === 'dwi' || series.kind === 'bold';
  const fields = {
    Modality: 'MR',
    MagneticFieldStrength: scanner.fieldStrength,
    Manufacturer: scanner.manufacturer,
    ManufacturersModelName: scanner.model,
    InstitutionName: 'Cohort Demo Hospital',
    StationName: `SCANNER_${scanner.id}`,
    SeriesDescription: convention.description,
    ProtocolName: convention.description.replaceAll(' ', '_'),
    SeriesNumber: convention.seriesNumber,
    AcquisitionDateTime: series.acquired,
    SliceThickness: GEOMETRY[series.kind].voxel[2],
    RepetitionTime: convention.repetitionTime,
    EchoTime: convention.echoTime,
    ...(convention.inversionTime === undefined ? {} : { InversionTime: convention.inversionTime }),
    FlipAngle: convention.flipAngle,
    ...(diffusionOrBold ? { PhaseEncodingDirection: 'j-' } : {}),
    ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'ND'],
    ConversionSoftware: 'dcm2niix',
    ConversionSoftwareVersion: 'v1.0.20230411',
  };
  return `${JSON.stringify(fields, null, '\t')}\n`;
}

function formatNumber(value: number): string {
  return value === 0 ? '0' : value.toFixed(6);
}
