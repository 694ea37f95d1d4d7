/**
 * The simulated scanners of the demo and their naming conventions. Real cohorts mix sites and
 * software versions, and every site names its series its own way; the demo copies that so selectors
 * and filters have something real to match (`t1_mprage_sag/s001.nii` vs `T1w_3D/T1.nii.gz`).
 */

/** The protocol series a study can hold; `t2` only appears as the demo's one unicode-named extra series. */
export const DEMO_SERIES_KINDS = ['t1', 'flair', 'dwi', 'bold', 't2'] as const;
export type DemoSeriesKind = (typeof DEMO_SERIES_KINDS)[number];

/** The simulated sites: A Siemens-like, B Philips-like (no fMRI), C GE-like. */
export const DEMO_SCANNER_IDS = ['A', 'B', 'C'] as const;
export type DemoScannerId = (typeof DEMO_SCANNER_IDS)[number];

/** How one scanner names and acquires one series. Times in seconds, as dcm2niix writes them. */
export interface DemoSeriesConvention {
  /** The series folder inside the study folder. */
  readonly folder: string;
  /** The image file name without extension; the sidecar (and bval/bvec) share it. */
  readonly base: string;
  readonly seriesNumber: number;
  readonly description: string;
  readonly repetitionTime: number;
  readonly echoTime: number;
  readonly inversionTime?: number;
  readonly flipAngle: number;
}

/** One simulated scanner: vendor details for the sidecars, file compression and its naming of series. */
export interface DemoScanner {
  readonly id: DemoScannerId;
  readonly manufacturer: string;
  readonly model: string;
  readonly fieldStrength: number;
  /** `.nii` or `.nii.gz`: sites differ in whether they compress. */
  readonly extension: '.nii' | '.nii.gz';
  /** The site's routine protocol; a kind absent here is never acquired there (scanner B has no fMRI). */
  readonly protocol: Readonly<Partial<Record<DemoSeriesKind, DemoSeriesConvention>>>;
}

/**
 * The unicode-named extra series one subject gets, the same on every scanner: a protocol named after a
 * person, as sites do. NFC-normalised, as macOS and Linux tools write it.
 */
export const UNICODE_SERIES: DemoSeriesConvention = {
  folder: 'T2_Müller',
  base: 't2',
  seriesNumber: 20,
  description: 'T2_tse_tra Müller',
  repetitionTime: 5.2,
  echoTime: 0.1,
  flipAngle: 150,
};

/** The three demo scanners: a Siemens-like site (lower case, numbered files), a Philips-like one, a GE-like one. */
export const DEMO_SCANNERS: Readonly<Record<DemoScannerId, DemoScanner>> = {
  A: {
    id: 'A',
    manufacturer: 'Siemens',
    model: 'Prisma_fit',
    fieldStrength: 3,
    extension: '.nii',
    protocol: {
      t1: {
        folder: 't1_mprage_sag',
        base: 's001',
        seriesNumber: 1,
        description: 't1_mprage_sag',
        repetitionTime: 2.3,
        echoTime: 0.00226,
        inversionTime: 0.9,
        flipAngle: 8,
      },
      flair: {
        folder: 'flair_tra',
        base: 's002',
        seriesNumber: 2,
        description: 'flair_tra',
        repetitionTime: 9,
        echoTime: 0.081,
        inversionTime: 2.5,
        flipAngle: 150,
      },
      dwi: {
        folder: 'dwi_6dir',
        base: 's003',
        seriesNumber: 3,
        description: 'ep2d_diff_6dir',
        repetitionTime: 7.8,
        echoTime: 0.089,
        flipAngle: 90,
      },
      bold: {
        folder: 'rest_bold',
        base: 's004',
        seriesNumber: 4,
        description: 'ep2d_bold_rest',
        repetitionTime: 2,
        echoTime: 0.03,
        flipAngle: 78,
      },
    },
  },
  B: {
    id: 'B',
    manufacturer: 'Philips',
    model: 'Ingenia',
    fieldStrength: 1.5,
    extension: '.nii.gz',
    protocol: {
      t1: {
        folder: 'T1w_3D',
        base: 'T1',
        seriesNumber: 301,
        description: 'T1w_3D_TFE',
        repetitionTime: 0.0081,
        echoTime: 0.0037,
        inversionTime: 0.95,
        flipAngle: 8,
      },
      flair: {
        folder: 'FLAIR',
        base: 'flair',
        seriesNumber: 401,
        description: 'FLAIR_tra',
        repetitionTime: 11,
        echoTime: 0.125,
        inversionTime: 2.8,
        flipAngle: 90,
      },
      dwi: {
        folder: 'DTI_6',
        base: 'dti',
        seriesNumber: 501,
        description: 'DTI_6dir_b1000',
        repetitionTime: 6.5,
        echoTime: 0.095,
        flipAngle: 90,
      },
    },
  },
  C: {
    id: 'C',
    manufacturer: 'GE',
    model: 'DISCOVERY MR750',
    fieldStrength: 3,
    extension: '.nii.gz',
    // dcm2niix's "%s_%d" naming: series number first, so `10_...` sorts before `3_...` in a listing.
    protocol: {
      t1: {
        folder: '3_Sag_T1_BRAVO',
        base: '3_Sag_T1_BRAVO',
        seriesNumber: 3,
        description: 'Sag T1 BRAVO',
        repetitionTime: 0.0082,
        echoTime: 0.0032,
        inversionTime: 0.45,
        flipAngle: 12,
      },
      flair: {
        folder: '5_Ax_T2_FLAIR',
        base: '5_Ax_T2_FLAIR',
        seriesNumber: 5,
        description: 'Ax T2 FLAIR',
        repetitionTime: 9.5,
        echoTime: 0.14,
        inversionTime: 2.4,
        flipAngle: 160,
      },
      dwi: {
        folder: '7_DTI_6dir',
        base: '7_DTI_6dir',
        seriesNumber: 7,
        description: 'DTI 6dir',
        repetitionTime: 8,
        echoTime: 0.082,
        flipAngle: 90,
      },
      bold: {
        folder: '10_rsfMRI',
        base: '10_rsfMRI',
        seriesNumber: 10,
        description: 'rsfMRI',
        repetitionTime: 2,
        echoTime: 0.03,
        flipAngle: 77,
      },
    },
  },
};

/** The convention for a kind on a scanner, or null when the scanner's protocol lacks it. */
export function seriesConvention(scanner: DemoScanner, kind: DemoSeriesKind): DemoSeriesConvention | null {
  return kind === 't2' ? UNICODE_SERIES : (scanner.protocol[kind] ?? null);
}

/**
 * The files of one series, image first, as dcm2niix writes them: image, JSON sidecar, and for
 * diffusion the `.bval`/`.bvec` gradient tables.
 */
export function seriesFileNames(
  scanner: DemoScanner,
  kind: DemoSeriesKind,
  convention: DemoSeriesConvention,
): string[] {
  const { base } = convention;
  const gradients = kind === 'dwi' ? [`${base}.bval`, `${base}.bvec`] : [];
  return [`${base}${scanner.extension}`, `${base}.json`, ...gradients];
}
