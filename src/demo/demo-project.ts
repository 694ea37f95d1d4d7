import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { invalidInput } from '../errors/cohort-error.js';
import { DEMO_SCANNERS, seriesConvention } from './demo-scanners.js';
import {
  missingSeries,
  planDemoProject,
  type DemoMissingSeries,
  type DemoOptions,
  type DemoPlan,
} from './plan-demo-project.js';
import { renderSeries } from './render-series.js';

/** The file that marks a folder as a demo root, so it may be regenerated. */
export const DEMO_MARKER = '.cohort-demo.json';
/** Bumped when the tree a seed makes changes; an older demo can then no longer be replaced file by file. */
const DEMO_FORMAT_VERSION = 1;

interface DemoMarker {
  readonly generator: 'cohort demo';
  readonly formatVersion: number;
  readonly seed: number;
  readonly subjects: number;
}

/** What `generateDemoProject` made, and the tags to apply once the tree is indexed. */
export interface DemoSummary {
  /** Absolute path of the demo root. */
  readonly root: string;
  readonly seed: number;
  readonly subjects: number;
  readonly studies: number;
  /** Files written, the marker not counted. */
  readonly files: number;
  readonly bytes: number;
  /** Protocol series left out on purpose: which study lacks which series. */
  readonly missing: readonly DemoMissingSeries[];
  /** Paths (relative to the root) of the awkward names, for quoting tests and examples. */
  readonly quirks: { readonly spaceInName: readonly string[]; readonly unicode: readonly string[] };
  /** Suggested subject tags: `control` or `patient`. */
  readonly subjectTags: Readonly<Record<string, readonly string[]>>;
  /** Suggested study tags by `PID#SID`: `baseline` for the first visit, `followup` for later ones. */
  readonly studyTags: Readonly<Record<string, readonly string[]>>;
  /** The full plan: subjects, studies, scanners and series. */
  readonly plan: DemoPlan;
}

/**
 * Writes a synthetic, deterministic cohort into `root` in the layout `<subject>/<study>/<series>/<file>`:
 * NIfTI images with dcm2niix sidecars from three scanners that name series differently, 1-3 dated visits
 * per subject, some series missing. The same seed gives the same bytes.
 *
 * `root` must be missing, empty, or an earlier demo (it holds `.cohort-demo.json`); an earlier demo's
 * own files are replaced and anything a user added beside them is kept. Any other folder is refused with
 * an `INVALID_INPUT` error so no data is ever overwritten. Tags are returned, not applied: the catalog is
 * not touched.
 * @example generateDemoProject('/tmp/demo', { subjects: 20, seed: 1 }).files
 */
export function generateDemoProject(root: string, options: DemoOptions = {}): DemoSummary {
  const absRoot = resolve(root);
  const plan = planDemoProject(options);
  prepareRoot(absRoot);
  // The marker goes first: a run that dies halfway leaves a demo that the next run may still replace.
  const marker: DemoMarker = {
    generator: 'cohort demo',
    formatVersion: DEMO_FORMAT_VERSION,
    seed: plan.seed,
    subjects: plan.subjects.length,
  };
  writeFileSync(join(absRoot, DEMO_MARKER), `${JSON.stringify(marker, null, 2)}\n`);

  let files = 0;
  let bytes = 0;
  for (const subject of plan.subjects) {
    for (const study of subject.studies) {
      const scanner = DEMO_SCANNERS[study.scanner];
      for (const series of study.series) {
        const convention = seriesConvention(scanner, series.kind);
        if (convention === null) throw new Error(`scanner ${scanner.id} has no ${series.kind} series`);
        const folder = join(absRoot, subject.pid, study.sid, series.folder);
        mkdirSync(folder, { recursive: true });
        const context = {
          seed: plan.seed,
          pid: subject.pid,
          sid: study.sid,
          patient: subject.group === 'patient',
        };
        for (const file of renderSeries({ ...context, scanner, convention, series })) {
          writeFileSync(join(folder, file.name), file.content);
          files += 1;
          bytes += typeof file.content === 'string' ? Buffer.byteLength(file.content) : file.content.length;
        }
      }
    }
  }
  return summarize(absRoot, plan, files, bytes);
}

/** Every file path of a plan, relative to the root. */
export function demoFilePaths(plan: DemoPlan): string[] {
  return plan.subjects.flatMap((subject) =>
    subject.studies.flatMap((study) =>
      study.series.flatMap((series) =>
        series.files.map((f) => `${subject.pid}/${study.sid}/${series.folder}/${f}`),
      ),
    ),
  );
}

/** Makes `root` ready: created if missing, an earlier demo's files removed, anything else refused. */
function prepareRoot(root: string): void {
  if (!existsSync(root)) {
    mkdirSync(root, { recursive: true });
    return;
  }
  if (!statSync(root).isDirectory()) {
    throw invalidInput(
      `Cannot write a demo into ${root}: it is a file.`,
      'Give the path of a new or empty folder.',
    );
  }
  const entries = readdirSync(root);
  if (entries.length === 0) return;
  const marker = readMarker(root);
  if (marker === null) {
    throw invalidInput(
      `Refusing to write a demo into ${root}: the folder is not empty and holds no earlier demo.`,
      'Give the path of a new or empty folder; nothing was changed.',
      { root, entries: entries.length },
    );
  }
  removeEarlierDemo(root, marker);
}

function readMarker(root: string): DemoMarker | null {
  try {
    const value = JSON.parse(readFileSync(join(root, DEMO_MARKER), 'utf8')) as Partial<DemoMarker>;
    return value.generator === 'cohort demo' &&
      typeof value.seed === 'number' &&
      typeof value.subjects === 'number'
      ? (value as DemoMarker)
      : null;
  } catch {
    return null; // missing or unreadable: not a demo we made
  }
}

/**
 * Re-plans the earlier demo from its marker and deletes exactly its files, then the folders left empty:
 * job outputs a user wrote into the demo stay where they are.
 */
function removeEarlierDemo(root: string, marker: DemoMarker): void {
  if (marker.formatVersion !== DEMO_FORMAT_VERSION) {
    throw invalidInput(
      `The demo in ${root} was made by another version of cohort (format ${marker.formatVersion}).`,
      'Delete that folder yourself, or give the path of a new folder for the demo.',
      { root },
    );
  }
  const previous = planDemoProject({ seed: marker.seed, subjects: marker.subjects });
  const folders = new Set<string>();
  for (const path of demoFilePaths(previous)) {
    rmSync(join(root, path), { force: true });
    for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) folders.add(dir);
  }
  // Deepest first, so a series folder goes before its study folder.
  for (const dir of [...folders].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const abs = join(root, dir);
    if (existsSync(abs) && readdirSync(abs).length === 0) rmdirSync(abs);
  }
  rmSync(join(root, DEMO_MARKER), { force: true });
}

function summarize(root: string, plan: DemoPlan, files: number, bytes: number): DemoSummary {
  const subjectTags: Record<string, string[]> = {};
  const studyTags: Record<string, string[]> = {};
  const spaceInName: string[] = [];
  const unicode: string[] = [];
  for (const subject of plan.subjects) {
    subjectTags[subject.pid] = [subject.group];
    for (const study of subject.studies) {
      studyTags[`${subject.pid}#${study.sid}`] = [study.visit === 0 ? 'baseline' : 'followup'];
      for (const series of study.series) {
        for (const name of series.files) {
          const path = `${subject.pid}/${study.sid}/${series.folder}/${name}`;
          if (name.includes(' ')) spaceInName.push(path);
          if (/[^\x20-\x7e]/.test(path)) unicode.push(path);
        }
      }
    }
  }
  return {
    root,
    seed: plan.seed,
    subjects: plan.subjects.length,
    studies: plan.subjects.reduce((n, s) => n + s.studies.length, 0),
    files,
    bytes,
    missing: missingSeries(plan),
    quirks: { spaceInName, unicode },
    subjectTags,
    studyTags,
    plan,
  };
}
