import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openCatalog, type Catalog } from '../src/catalog/catalog.js';
import { findProject } from '../src/catalog/project-store.js';
import { addTags } from '../src/catalog/tags.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { parseSelector } from '../src/selection/parse-selector.js';
import { runSelector } from '../src/selection/run-selector.js';
import { createApp } from '../src/server/app.js';
import { createServerContext } from '../src/server/serve.js';
import { createUserToken } from '../src/users/api-tokens.js';
import { createUser, findUser, grantRole } from '../src/users/user-store.js';
import { BIOBANK_HOME, CLI, timeProcess, type ProcessFigure } from './biobank-index.js';
import { median, ms } from './measure.js';

/** A timed case: what, the query, how many results, median and max of the runs, load before. */
export interface QueryCase {
  readonly what: string;
  readonly query: string;
  readonly results: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** Median CPU time (user + system) of this process, its GC and SQLite included: steadier under load. */
  readonly cpuMs: number;
  readonly load: number;
  readonly target: string;
}

export interface QueryFigures {
  select?: QueryCase[];
  selectCli?: ProcessFigure & { readonly lines: number };
  server?: QueryCase[];
  grid?: QueryCase[];
}

const RUNS = Number(process.env.BENCH_BIOBANK_RUNS ?? 5);
const HTTP_RUNS = 10;

const cpuSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

function timeRuns(
  run: () => number,
  runs: number,
): { results: number; times: number[]; cpu: number[]; load: number } {
  const load = loadavg()[0] ?? 0;
  const results = run(); // a warm-up, which also counts the results
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    run();
    times.push(performance.now() - started);
    cpu.push(cpuSince(cpuStart));
  }
  return { results, times, cpu, load };
}

/** Tags as the smaller benches have them: every other subject `control`, every third study `qc_ok`. */
export function tagOnce(catalog: Catalog, projectId: number): void {
  const db = catalog.db;
  const tagged = db.prepare("SELECT count(*) FROM study_tags WHERE tag = 'qc_ok'").pluck().get() as number;
  if (tagged > 0) return;
  const ids = (table: string): number[] =>
    db.prepare(`SELECT id FROM ${table} WHERE project_id = ? ORDER BY id`).pluck().all(projectId) as number[];
  addTags(
    db,
    'subject',
    ids('subjects').filter((_, i) => i % 2 === 0),
    ['control'],
  );
  addTags(
    db,
    'study',
    ids('studies').filter((_, i) => i % 3 === 0),
    ['qc_ok'],
  );
}

function selectCases(catalog: Catalog): QueryCase[] {
  const project = findProject(catalog.db, 'biobank');
  const cases: Array<[string, string]> = [
    ['a file pattern over every study', '* file:t1_mprage*/s000.nii'],
    ['the same with a study-tag filter', 'stag:qc_ok file:t1_mprage*/s000.nii'],
    ['subject prefix, latest study, pattern', 'S01*#LATEST file:dwi*/*.nii'],
  ];
  return cases.map(([what, text]) => {
    const selector = parseSelector(text);
    const count = (): number =>
      runSelector(catalog.db, project, selector).studies.reduce((n, s) => n + s.files.length, 0);
    const r = timeRuns(count, RUNS);
    return {
      what,
      query: text,
      results: r.results,
      medianMs: median(r.times),
      maxMs: Math.max(...r.times),
      cpuMs: median(r.cpu),
      load: r.load,
      target: 'under 1 s',
    };
  });
}

/**
 * A case: what, the path; `afterChange` writes to the catalog before each request (a no-op update of
 * the project row), so that a remembered total counts again, as after any change of the catalog.
 */
type HttpCase = readonly [what: string, path: string, afterChange?: 'afterChange'];

/** API requests over real HTTP on loopback, a bearer token, JSON parsed; median of HTTP_RUNS each. */
async function httpCases(catalog: Catalog, cases: readonly HttpCase[]): Promise<QueryCase[]> {
  const db = catalog.db;
  const user = findUser(db, 'bench') ?? (await createUser(db, { name: 'bench', password: 'bench password' }));
  // Only the catalog's first user is its admin: the web part's may have come first.
  grantRole(db, user.id, findProject(db, 'biobank').id, 'read');
  const { token } = createUserToken(db, user.id, `bench-${Date.now()}`);
  const context = createServerContext(catalog, { staticDir: join(BIOBANK_HOME, 'none') });
  const app = createApp(context);
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
  });
  const get = async (path: string): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/projects/biobank${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { total?: number | null };
    return body.total ?? 0;
  };
  const touch = db.prepare(`UPDATE projects SET name = name WHERE name = 'biobank'`);
  // A page asked for without its total (count=false, as the web table asks): the matching rows from
  // the table's count request, outside the timing.
  const matching = (path: string): Promise<number> =>
    path.includes('count=false') ? get(path.replace('?', '/count?').replace(/&?count=false/, '')) : get(path);
  const rows: QueryCase[] = [];
  try {
    for (const [what, path, afterChange] of cases) {
      const load = loadavg()[0] ?? 0;
      const total = await matching(path);
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < HTTP_RUNS; i++) {
        if (afterChange !== undefined) touch.run();
        const started = performance.now();
        const cpuStart = process.cpuUsage();
        await get(path);
        times.push(performance.now() - started);
        cpu.push(cpuSince(cpuStart)); // the server runs in this process: its CPU and the client's
      }
      rows.push({
        what,
        query: decodeURIComponent(path),
        results: total,
        medianMs: median(times),
        maxMs: Math.max(...times),
        cpuMs: median(cpu),
        load,
        target: 'under 100 ms',
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await context.runs.close();
  }
  return rows;
}

/**
 * The subjects API as the web table asks it: pages of 100 without their total (count=false), and the
 * total apart (`/subjects/count`), remembered until the catalog changes; then the first page with its
 * total in one answer, after a change, as a script asks.
 */
const FILE_FILTER = encodeURIComponent('t1_mprage*/s000* & PTAG:control');
const SUBJECT_CASES: HttpCase[] = [
  ['first page of 100 subjects', '/subjects?limit=100&count=false'],
  ['page 1,000 of 100 subjects', '/subjects?limit=100&offset=99900&count=false'],
  // As the web table asks once it holds page 999: after its last subject (S100000 sorts after S10000).
  ['page 1,000 of 100 subjects, by key', '/subjects?limit=100&offset=99900&after=S99899&count=false'],
  [
    'filter: id prefix & subject tag',
    `/subjects?limit=100&count=false&filter=${encodeURIComponent('S01 & PTAG:control')}`,
  ],
  ['filter: study tag', `/subjects?limit=100&count=false&filter=${encodeURIComponent('STAG:qc_ok')}`],
  ['filter: file pattern & subject tag', `/subjects?limit=100&count=false&filter=${FILE_FILTER}`],
  [
    'filter: id prefix, page 5',
    `/subjects?limit=100&offset=400&count=false&filter=${encodeURIComponent('S0')}`,
  ],
  ['studies table, first page of 100', '/studies?limit=100&count=false'],
  ['total, file pattern & subject tag (remembered)', `/subjects/count?filter=${FILE_FILTER}`],
  ['the same total after a catalog change', `/subjects/count?filter=${FILE_FILTER}`, 'afterChange'],
  ['total of all subjects after a change', '/subjects/count', 'afterChange'],
  ['studies total after a change', '/studies/count', 'afterChange'],
  ['first page with its total, after a change', `/subjects?limit=100&filter=${FILE_FILTER}`, 'afterChange'],
];

/**
 * The engine's rows for 200,000 tasks of a subject-level 2-job run on Slurm (each subject's two tasks,
 * queued, with array member ids): what the grid pages after the cluster part's submission. Made once.
 */
function insertGridTasks(catalog: Catalog, projectId: number): void {
  const db = catalog.db;
  if ((db.prepare('SELECT count(*) FROM tasks').pluck().get() as number) > 0) return;
  const runId = db
    .prepare(
      `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
       VALUES (?, 'biobank', '{}', 'subject', '*', 'chained', 'slurm', 'bench', ?)`,
    )
    .run(projectId, Date.now()).lastInsertRowid;
  const subjects = db
    .prepare('SELECT id, pid FROM subjects WHERE project_id = ? ORDER BY id')
    .all(projectId) as Array<{
    id: number;
    pid: string;
  }>;
  const insert = db.prepare(
    `INSERT INTO tasks (run_id, project_id, item, subject_id, job_index, job_name, state, unit, executor,
       executor_id, resolved, log_dir, queued_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, 'slurm', ?, '{}', '/nonexistent', ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    subjects.forEach((s, i) => {
      for (let job = 0; job < 2; job++) {
        // Arrays of 1000 per job, as SlurmExecutor submits them.
        const executorId = `${1000 + job * 100 + Math.floor(i / 1000)}_${i % 1000}`;
        insert.run(
          runId,
          projectId,
          s.pid,
          s.id,
          job,
          job === 0 ? 'Brain mask' : 'Smooth',
          `${s.pid}/${job}`,
          executorId,
          now,
          now,
        );
      }
    });
  })();
}

const GRID_CASES: HttpCase[] = [
  ['first page of 100 tasks', '/tasks?limit=100'],
  ['page 1,000 of 100 tasks', '/tasks?limit=100&offset=99900'],
  ['search a subject prefix', '/tasks?limit=100&search=S0123'],
  ['queued, sorted by item descending', '/tasks?limit=100&state=queued&sort=-item'],
];

/** Runs the query parts asked for (`query`: selector and preview; `server`: the subjects API). */
export async function runBiobankQueries(
  figures: QueryFigures,
  parts: readonly string[],
): Promise<QueryFigures> {
  const catalog = openCatalog(resolveConfig({ home: BIOBANK_HOME }, {}));
  try {
    tagOnce(catalog, findProject(catalog.db, 'biobank').id);
    // `select`: the selectors alone (`query` is they and the preview).
    if (parts.includes('query') || parts.includes('select')) {
      figures.select = selectCases(catalog);
      console.log(JSON.stringify(figures.select));
      // The selector as a user runs it: a whole process printing one path per line.
      const env = { ...process.env, COHORT_HOME: BIOBANK_HOME };
      const cli = timeProcess([process.execPath, CLI, 'select', '*', 'file:t1_mprage*/s000.nii'], env);
      figures.selectCli = { ...cli, lines: figures.select[0]?.results ?? 0 };
    }
    if (parts.includes('server')) figures.server = await httpCases(catalog, SUBJECT_CASES);
    if (parts.includes('grid')) {
      insertGridTasks(catalog, findProject(catalog.db, 'biobank').id);
      figures.grid = await httpCases(catalog, GRID_CASES);
    }
  } finally {
    catalog.close();
  }
  return figures;
}

const table = (rows: readonly QueryCase[], results: string): string =>
  `| what | query | ${results} | wall: median | wall: max | CPU: median | load | target |
|---|---|---:|---:|---:|---:|---:|---|
${rows.map((r) => `| ${r.what} | \`${r.query.replace(/\|/g, '\\|')}\` | ${r.results.toLocaleString('en')} | ${ms(r.medianMs)} | ${ms(r.maxMs)} | ${r.cpuMs === undefined ? '' : ms(r.cpuMs)} | ${r.load.toFixed(1)} | ${r.target} |`).join('\n')}`;

/** The query parts' markdown. */
export function biobankQueryLines(f: QueryFigures): string {
  const parts: string[] = [];
  if (f.select !== undefined)
    parts.push(`Selectors on the catalog (\`runSelector\` in one process, on-disk SQLite, results built; median of ${RUNS}
after a warm-up), every other subject tagged \`control\` and every third study \`qc_ok\`:

${table(f.select, 'files')}
${f.selectCli === undefined ? '' : `\nThe first as a whole process, \`cohort select '*' 'file:t1_mprage*/s000.nii' > /dev/null\` (${f.selectCli.lines.toLocaleString('en')} lines): ${ms(f.selectCli.wallMs)} wall, ${ms(f.selectCli.cpuMs)} CPU, peak RSS ${f.selectCli.maxRssMb.toFixed(0)} MB, load ${f.selectCli.load.toFixed(1)}.`}`);
  if (f.server !== undefined)
    parts.push(`Subjects API over real HTTP (loopback, bearer token, JSON parsed), median of ${HTTP_RUNS} after a warm-up. The
first seven as the web table asks: a page of 100 with tags and job indicators, without its total
(\`count=false\`; "matching" is from the count request); the totals apart (\`/subjects/count\`, asked
once typing pauses), remembered until the catalog changes, and after a change (a write before each
request); the last, page and total in one answer after a change, as before:

${table(f.server, 'matching')}`);
  if (f.grid !== undefined)
    parts.push(`The grid API (\`GET /api/projects/P/tasks?limit=100…\`, pages added for this) over the 200,000 tasks of a
subject-level 2-job Slurm run, as the engine records them after the submission below (all queued), median of
${HTTP_RUNS} after a warm-up; each answer has the page, the total and the counters:

${table(f.grid, 'matching')}`);
  return parts.join('\n\n');
}
