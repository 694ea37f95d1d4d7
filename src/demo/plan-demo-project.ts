import { invalidInput } from '../errors/cohort-error.js';
import {
  DEMO_SCANNER_IDS,
  DEMO_SCANNERS,
  seriesConvention,
  seriesFileNames,
  type DemoScannerId,
  type DemoSeriesKind,
} from './demo-scanners.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';

/** Subjects when none are asked for. */
export const DEFAULT_DEMO_SUBJECTS = 20;
/** The seed when none is given: README examples and tests refer to the tree it makes. */
export const DEFAULT_DEMO_SEED = 1;
/** Subject ids are `P` and three digits. */
export const MAX_DEMO_SUBJECTS = 999;

/** What demo to make; both fields optional. */
export interface DemoOptions {
  /** Number of subjects, 1..999. Default 20. */
  readonly subjects?: number;
  /** Any unsigned 32-bit integer. Default 1. */
  readonly seed?: number;
}

/** One series folder of a study and the files it will hold. */
export interface DemoSeriesPlan {
  readonly kind: DemoSeriesKind;
  /** Folder inside the study folder. */
  readonly folder: string;
  /** File names inside the series folder, image first (then sidecar, bval, bvec, extra copies). */
  readonly files: readonly string[];
  /** Extra byte-identical copies of the image under other names (the file name with a space). */
  readonly copies: readonly string[];
  /** ISO date-time without zone, as dcm2niix writes `AcquisitionDateTime`. */
  readonly acquired: string;
}

/** One visit: a dated study on one scanner. */
export interface DemoStudyPlan {
  /** The study id: the acquisition date `YYYYMMDD`. */
  readonly sid: string;
  readonly scanner: DemoScannerId;
  /** 0 for the baseline, then 1, 2 for follow-ups, in time order. */
  readonly visit: number;
  readonly series: readonly DemoSeriesPlan[];
  /** Protocol series of this study's scanner that were deliberately left out. */
  readonly missing: readonly DemoSeriesKind[];
}

/** One subject (`P001`...) with its visits, oldest first. */
export interface DemoSubjectPlan {
  readonly pid: string;
  readonly group: 'control' | 'patient';
  readonly studies: readonly DemoStudyPlan[];
}

/** One protocol series a study lacks, with the folder it would have had. */
export interface DemoMissingSeries {
  readonly pid: string;
  readonly sid: string;
  readonly kind: DemoSeriesKind;
  readonly folder: string;
}

/** The whole demo tree, decided before any byte is written (and re-planned to remove an earlier demo). */
export interface DemoPlan {
  readonly seed: number;
  readonly subjects: readonly DemoSubjectPlan[];
}

/** Share of subjects per scanner: the main site scans most. */
const SCANNER_SHARES: ReadonlyArray<readonly [DemoScannerId, number]> = [
  ['B', 0.3],
  ['C', 0.25],
];
/** Chance that a follow-up happens on another scanner (scanner replaced, patient moved). */
const SCANNER_CHANGE = 0.15;

/**
 * Decides the demo tree for a seed: subjects, their groups, visit dates, scanners, which protocol series
 * are missing and where the awkward names go. Pure and deterministic; `generateDemoProject` writes it.
 */
export function planDemoProject(options: DemoOptions = {}): DemoPlan {
  const count = options.subjects ?? DEFAULT_DEMO_SUBJECTS;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEMO_SUBJECTS) {
    throw invalidInput(
      `Cannot make a demo of ${count} subjects.`,
      `Give 1 to ${MAX_DEMO_SUBJECTS} subjects.`,
    );
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw invalidInput(`Invalid demo seed ${seed}.`, 'Give a whole number from 0 to 4294967295.');
  }
  const random = new SeededRandom(deriveSeed(seed, 'plan'));
  const pids = Array.from({ length: count }, (_, i) => `P${String(i + 1).padStart(3, '0')}`);
  const scanners = random.shuffle(scannerList(count));
  const controls = new Set(random.shuffle(pids).slice(0, Math.round(0.4 * count)));
  const visits = visitCounts(random, count);

  const subjects = pids.map((pid, i): DemoSubjectPlan => {
    let scanner = scanners[i] ?? 'A';
    let day = random.int(dayNumber(2019, 0, 1), dayNumber(2022, 5, 30));
    const studies = Array.from({ length: visits[i] ?? 1 }, (_, visit): DemoStudyPlan => {
      if (visit > 0) {
        day += random.int(120, 420);
        if (random.next() < SCANNER_CHANGE)
          scanner = random.pick(DEMO_SCANNER_IDS.filter((s) => s !== scanner));
      }
      const sid = isoDate(day).replaceAll('-', '');
      const kinds = (['t1', 'flair', 'dwi', 'bold'] as const).filter(
        (k) => DEMO_SCANNERS[scanner].protocol[k],
      );
      const start = day * 86400 + random.int(8 * 3600, 17 * 3600);
      return {
        sid,
        scanner,
        visit,
        missing: [],
        series: kinds.map((k, n) => series(scanner, k, start + n * 420 + random.int(0, 120))),
      };
    });
    return { pid, group: controls.has(pid) ? 'control' : 'patient', studies };
  });
  return { seed, subjects: addQuirks(random, dropSeries(random, subjects)) };
}

/** The protocol series the plan leaves out, in subject and study order. */
export function missingSeries(plan: DemoPlan): DemoMissingSeries[] {
  return plan.subjects.flatMap((subject) =>
    subject.studies.flatMap((study) =>
      study.missing.map((kind) => ({
        pid: subject.pid,
        sid: study.sid,
        kind,
        folder: seriesConvention(DEMO_SCANNERS[study.scanner], kind)?.folder ?? kind,
      })),
    ),
  );
}

function series(scanner: DemoScannerId, kind: DemoSeriesKind, seconds: number): DemoSeriesPlan {
  const convention = seriesConvention(DEMO_SCANNERS[scanner], kind);
  if (convention === null) throw new Error(`scanner ${scanner} has no ${kind} series`);
  const files = seriesFileNames(DEMO_SCANNERS[scanner], kind, convention);
  return {
    kind,
    folder: convention.folder,
    files,
    copies: [],
    acquired: `${isoDate(Math.floor(seconds / 86400))}T${clock(seconds)}.000000`,
  };
}

/** Every scanner is used once there are three subjects; A, the main site, takes the rest. */
function scannerList(count: number): DemoScannerId[] {
  const list: DemoScannerId[] = [];
  for (const [id, share] of SCANNER_SHARES) {
    const n = count < 3 ? 0 : Math.max(1, Math.round(share * count));
    for (let k = 0; k < n; k++) list.push(id);
  }
  while (list.length < count) list.push('A');
  return list;
}

/** 1 to 3 visits per subject, with at least one subject of each count where there are enough subjects. */
function visitCounts(random: SeededRandom, count: number): number[] {
  const visits: number[] = Array.from({ length: count }, () => {
    const r = random.next();
    return r < 0.3 ? 1 : r < 0.75 ? 2 : 3;
  });
  if (count >= 3) {
    const missing = [1, 2, 3].some((n) => !visits.includes(n));
    const indices = random.shuffle(visits.map((_, i) => i));
    if (missing) indices.slice(0, 3).forEach((index, k) => (visits[index] = k + 1));
  }
  return visits;
}

/** Leaves out some series, as happens: FLAIR skipped, DWI not repeated at follow-up, fMRI aborted. T1 always stays. */
function dropSeries(random: SeededRandom, subjects: DemoSubjectPlan[]): DemoSubjectPlan[] {
  const studies = subjects.flatMap((s) => s.studies);
  const rules: ReadonlyArray<readonly [DemoSeriesKind, number, (s: DemoStudyPlan) => boolean]> = [
    ['flair', Math.max(1, Math.round(subjects.length / 10)), () => true],
    ['dwi', Math.max(1, Math.round(subjects.length / 7)), (s) => s.visit > 0],
    ['bold', Math.max(1, Math.round(subjects.length / 20)), (s) => s.visit === 0],
  ];
  const drop = new Map<DemoStudyPlan, DemoSeriesKind[]>();
  for (const [kind, n, eligible] of rules) {
    const pool = studies.filter((s) => eligible(s) && s.series.some((x) => x.kind === kind));
    for (const study of random.shuffle(pool).slice(0, n)) drop.set(study, [...(drop.get(study) ?? []), kind]);
  }
  return subjects.map((subject) => ({
    ...subject,
    studies: subject.studies.map((study) => {
      const missing = drop.get(study) ?? [];
      return { ...study, missing, series: study.series.filter((x) => !missing.includes(x.kind)) };
    }),
  }));
}

/**
 * One subject's baseline T1 gets a copy whose name holds a space (`s001 copy.nii`), and another subject's
 * latest study an extra series with a unicode name (`T2_Müller`): both must survive quoting in jobs.
 */
function addQuirks(random: SeededRandom, subjects: DemoSubjectPlan[]): DemoSubjectPlan[] {
  const [spaced, accented] = random.shuffle(subjects.map((_, i) => i));
  return subjects.map((subject, i) => {
    const studies = subject.studies.map((study, visit) => {
      let list = study.series;
      if (i === spaced && visit === 0) {
        list = list.map((x) => (x.kind === 't1' ? withCopy(x, DEMO_SCANNERS[study.scanner].extension) : x));
      }
      if (i === (accented ?? spaced) && visit === subject.studies.length - 1) {
        const last = list[list.length - 1];
        list = [
          ...list,
          series(study.scanner, 't2', Date.parse(`${last?.acquired.slice(0, 19) ?? ''}Z`) / 1000 + 400),
        ];
      }
      return list === study.series ? study : { ...study, series: list };
    });
    return { ...subject, studies };
  });
}

function withCopy(x: DemoSeriesPlan, extension: string): DemoSeriesPlan {
  const copy = `${x.files[0]?.slice(0, -extension.length) ?? ''} copy${extension}`;
  return { ...x, files: [...x.files, copy], copies: [copy] };
}

function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month, day) / 86400000;
}

function isoDate(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}
