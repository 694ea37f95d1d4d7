import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordMeasures } from '../src/measures/measure-store.js';
import { createLargeFixture } from '../src/selection/large-fixture.js';
import { machineLine, median, ms, ratio, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 11 figures. (1) A group-level job over the demo's studies against the same work as one job
 * per study: wall time of `cohort run` (whole process, start to end), alternated, median of ROUNDS.
 * (2) `cohort export` of 10,000 subjects' recorded measures (plus their tags and files) as TSV and
 * JSON, against `sqlite3` printing the measures alone as TSV (the floor: one query, no files, no tags).
 */
const WORK = fileURLToPath(new URL('./.work/group-export/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROUNDS = 5;
const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];
/** The work of each study: a checksum of its T1. */
const PER_STUDY = 'md5sum "$f1" | cut -d" " -f1 > "$o1"';
const GROUP = 'for f in "${f1[@]}"; do md5sum "$f"; done > "$o1"';
const MEASURES_PER_STUDY = 5;

function batch(group: boolean): object {
  return {
    name: group ? 'md5 group' : 'md5 per study',
    level: 'study',
    jobs: [
      {
        name: 'md5',
        ...(group ? { level: 'group' } : {}),
        language: 'bash',
        script: group ? GROUP : PER_STUDY,
        args: [
          { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
          group
            ? { type: 'OUT', name: 'o1', path: 'md5.txt', ref: { kind: 'analysis', name: 'group' } }
            : { type: 'OUT', name: 'o1', path: 'work/md5.txt', ref: { kind: 'current' } },
        ],
      },
    ],
  };
}

function groupFigures(): string {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, COHORT_HOME: join(WORK, 'home') };
  timeCommand(process.execPath, [CLI, 'demo'], env);
  const paths = [false, true].map((group) => {
    const path = join(WORK, `${group ? 'group' : 'per-study'}.json`);
    writeFileSync(path, JSON.stringify(batch(group)));
    return path;
  });
  const times: [number[], number[]] = [[], []];
  let tasks = [0, 0];
  for (let round = 0; round < ROUNDS; round++) {
    paths.forEach((path, i) => {
      const run = timeCommand(process.execPath, [CLI, 'run', path, '--json'], env);
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { done?: number };
      tasks = tasks.map((t, j) => (j === i ? (report.done ?? 0) : t));
      times[i]?.push(run.ms);
    });
  }
  const [perStudy, group] = times.map(median) as [number, number];
  return `| one job per study (${tasks[0]} tasks) | ${ms(perStudy)} | 1.00× |
| one group-level job over the same ${tasks[0]} studies (${tasks[1]} task) | ${ms(group)} | ${ratio(group / perStudy)} |`;
}

function exportFigures(): string {
  const { db, project } = createLargeFixture({
    subjects: 10_000,
    studiesPerSubject: 1,
    seriesPerStudy: 2,
    filesPerSeries: 1,
  });
  const studies = db.prepare('SELECT id, subject_id FROM studies').all() as Array<{
    id: number;
    subject_id: number;
  }>;
  recordMeasures(
    db,
    project.id,
    studies.flatMap((s) =>
      Array.from({ length: MEASURES_PER_STUDY }, (_, k) => ({
        subjectId: s.subject_id,
        studyId: s.id,
        key: `m${k}`,
        value: s.id * 0.001 + k,
        task: 'bench',
      })),
    ),
  );
  const file = join(WORK, 'large.db');
  db.prepare('VACUUM INTO ?').run(file);
  db.close();
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, COHORT_DB: file, COHORT_PROJECT: 'large' };
  const out = join(WORK, 'export');
  const commands: Array<[string, string, string[]]> = [
    ['`cohort export --format tsv`', process.execPath, [CLI, 'export', '-o', `${out}.tsv`]],
    [
      '`cohort export --format json`',
      process.execPath,
      [CLI, 'export', '--format', 'json', '-o', `${out}.json`],
    ],
    [
      '`sqlite3` measures only, as TSV (floor)',
      'sqlite3',
      [
        '-separator',
        '\t',
        file,
        'SELECT su.pid, st.sid, m.key, m.value FROM measures m JOIN subjects su ON su.id = m.subject_id JOIN studies st ON st.id = m.study_id ORDER BY su.pid, st.sid, m.key',
      ],
    ],
  ];
  const times = commands.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    commands.forEach(([, command, args], i) => times[i]?.push(timeCommand(command, args, env).ms));
  }
  const floor = median(times[2] ?? []);
  return commands
    .map(
      ([name], i) => `| ${name} | ${ms(median(times[i] ?? []))} | ${ratio(median(times[i] ?? []) / floor)} |`,
    )
    .join('\n');
}

export function runGroupExportBench(): void {
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const group = groupFigures();
  const exported = exportFigures();
  const text = `## Group-level jobs and export (issue 11)

\`bench/group-export-bench.ts\`, median of ${ROUNDS}, alternated, whole processes. Machine: ${machineLine()};
load average ${loadavg()[0]?.toFixed(0) ?? '?'} at the end (the machine is shared).

A checksum of each study's T1 over the demo's studies (20 subjects), on the local executor: \`cohort run\`
from start to end.

| batch | run time | vs per study |
|---|---|---|
${group}

\`cohort export\` of 10,000 subjects (one study each, 2 files, ${MEASURES_PER_STUDY} recorded measures per study: 50,000
measures), written to a file.

| command | time | vs sqlite3 |
|---|---|---|
${exported}`;
  console.log(text);
  writeSection('group-export', text);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  runGroupExportBench();
