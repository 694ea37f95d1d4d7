import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openCatalog } from '../src/catalog/catalog.js';
import { createProject } from '../src/catalog/project-store.js';
import { studySortKey } from '../src/catalog/study-order.js';
import type { CohortConfig } from '../src/config/resolve-config.js';
import type { Db } from '../src/db/open-database.js';
import type { TaskRow } from '../src/runs/store/task-store.js';
import { launchChromium } from '../test/web/chromium.js';
import { logIn } from '../test/web/ui-steps.js';
import { startWebServer, type WebServer } from '../test/web/web-server.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const SUBJECTS = 10_000;
const TASKS = 5_000;
const RENDER_RUNS = 7;
const FILTER_RUNS = 10;
/** How long the grid is watched while tasks change, and how many change per tick (every TICK_MS). */
const LIVE_MS = 8_000;
const TICK_MS = 100;
const IDLE_MS = 3_000;
/** Changes per tick: a busy cluster's pace, then a burst far beyond it. */
const CHANGE_RATES = [25, 250] as const;
const LIVE_STATES = ['queued', 'running', 'suspended', 'held', 'error'] as const;

// In-page helpers, as source text: the page is a browser, and the bench's own types have no DOM.
export const PAGE_HELPERS = `
  window.__firstRows = null;
  const seeRows = () => {
    if (window.__firstRows === null && document.querySelector('[aria-label="subjects rows"] [role=row]')) {
      requestAnimationFrame(() => { window.__firstRows = performance.now(); });
    }
  };
  new MutationObserver(seeRows).observe(document, { subtree: true, childList: true });
  /** Arms a measure: the next keydown in the filter until the first row starts with 'first', painted. */
  window.__armFilter = (first) => {
    const input = document.querySelector('input[aria-label="Filter"]');
    let start = null;
    input.addEventListener('keydown', () => { start = performance.now(); }, { once: true });
    window.__filterResult = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        const row = document.querySelector('[aria-label="subjects rows"] [role=row]');
        if (start !== null && row !== null && row.textContent.startsWith(first)) {
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - start));
        }
      });
      observer.observe(document.getElementById('root'), { subtree: true, childList: true, characterData: true });
    });
  };
  /** Records the time between animation frames until __stopFrames(). */
  window.__startFrames = () => {
    window.__frames = [];
    let last = performance.now();
    let on = true;
    const tick = (now) => { window.__frames.push(now - last); last = now; if (on) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.__stopFrames = () => { on = false; return window.__frames; };
  };
`;

/** A synthetic catalog: SUBJECTS subjects, one or two studies each, three files per study, some tags. */
export function fillCatalogForBench(config: CohortConfig): void {
  const root = join(config.home, 'bench-root');
  mkdirSync(root, { recursive: true });
  const catalog = openCatalog(config);
  const db = catalog.db;
  const project = createProject(db, { name: 'bench', root, layout: 'folders' });
  const subject = db.prepare('INSERT INTO subjects (project_id, pid, folder) VALUES (?, ?, ?)');
  const study = db.prepare(
    'INSERT INTO studies (project_id, subject_id, sid, folder, sort_key) VALUES (?, ?, ?, ?, ?)',
  );
  const file = db.prepare(
    'INSERT INTO files (project_id, study_id, path, size, mtime_ms) VALUES (?, ?, ?, ?, ?)',
  );
  const tag = db.prepare("INSERT INTO subject_tags (subject_id, tag) VALUES (?, 'control')");
  db.transaction(() => {
    for (let p = 1; p <= SUBJECTS; p++) {
      const pid = `S${String(p).padStart(5, '0')}`;
      const subjectId = subject.run(project.id, pid, pid).lastInsertRowid;
      if (p % 2 === 0) tag.run(subjectId);
      for (let s = 0; s < 1 + (p % 2); s++) {
        const sid = `2021${String((p % 12) + 1).padStart(2, '0')}${String(s + 10)}`;
        const studyId = study.run(
          project.id,
          subjectId,
          sid,
          `${pid}/${sid}`,
          studySortKey(sid),
        ).lastInsertRowid;
        for (const path of ['t1_mprage/s001.nii', 'flair/s001.nii', 'dwi/s001.nii'])
          file.run(project.id, studyId, path, 1000, 1_600_000_000_000);
      }
    }
  })();
  catalog.close();
}

/** TASKS tasks of one run on the first studies, spread over the live states. */
function insertTasks(db: Db): number[] {
  const projectId = db.prepare("SELECT id FROM projects WHERE name = 'bench'").pluck().get() as number;
  const runId = db
    .prepare(
      `INSERT INTO runs (project_id, batch_name, definition, level, selection, run_mode, executor, owner, created_at)
       VALUES (?, 'bench', '{}', 'study', '*', 'chained', 'local', 'alice', ?)`,
    )
    .run(projectId, Date.now()).lastInsertRowid;
  const studies = db
    .prepare(
      `SELECT st.id, st.subject_id, s.pid || '#' || st.sid AS item FROM studies st
       JOIN subjects s ON s.id = st.subject_id WHERE st.project_id = ? ORDER BY st.id LIMIT ?`,
    )
    .all(projectId, TASKS) as Array<{ id: number; subject_id: number; item: string }>;
  const insert = db.prepare(
    `INSERT INTO tasks (run_id, project_id, item, subject_id, study_id, job_index, job_name, state, unit, executor,
       executor_id, resolved, log_dir, queued_at, started_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, 'Brain mask', ?, ?, 'local', ?, '{}', '/nonexistent', ?, ?, ?)`,
  );
  const now = Date.now();
  return db.transaction(() =>
    studies.map(
      (s, i) =>
        insert.run(
          runId,
          projectId,
          s.item,
          s.subject_id,
          s.id,
          LIVE_STATES[i % 4],
          s.item,
          `j${i}`,
          now,
          now,
          now,
        ).lastInsertRowid as number,
    ),
  )();
}

/**
 * Polls an expression in the page until it is set. (waitForFunction would compile the text in the
 * page, which the server's Content-Security-Policy rightly forbids.)
 */
async function pageValue<T>(page: Page, expression: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expression)) as T | null;
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`${expression} still null after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function measureFirstRender(page: Page, url: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RENDER_RUNS; i++) {
    // A new query string each time: a hash-only change would not load the page again.
    await page.goto(`${url}/?run=${i}#/subjects`);
    times.push(await pageValue<number>(page, 'window.__firstRows'));
  }
  return times;
}

export async function measureFilter(page: Page): Promise<{ times: number[]; api: number[] }> {
  const filter = page.getByLabel('Filter', { exact: true });
  await filter.fill('S0');
  await page.getByText('9,999 subjects').waitFor();
  const times: number[] = [];
  for (let i = 0; i < FILTER_RUNS; i++) {
    // Alternately narrow to S01… (1,000 subjects) and widen back to S0… (9,999).
    const narrow = i % 2 === 0;
    await page.evaluate(`window.__armFilter(${JSON.stringify(narrow ? 'S01000' : 'S00001')})`);
    await page.keyboard.press(narrow ? '1' : 'Backspace');
    times.push(await page.evaluate<number>('window.__filterResult'));
    await page.getByText(narrow ? '1,000 subjects' : '9,999 subjects').waitFor();
  }
  // The requests' share: request start to response end of the last FILTER_RUNS subjects pages.
  const api = await page.evaluate<number[]>(
    `performance.getEntriesByType('resource').filter((e) => e.name.includes('/subjects?'))
       .slice(-${FILTER_RUNS}).map((e) => e.responseEnd - e.startTime)`,
  );
  return { times, api };
}

async function measureLiveGrid(page: Page, web: WebServer, ids: readonly number[], perTick: number) {
  const db = web.server.context.catalog.db;
  await page.goto(`${web.url}/?grid#/grid`);
  await page.getByText(`${TASKS} shown`).waitFor({ timeout: 60_000 });
  // The noise floor: frame times of the same page with nothing changing.
  await page.evaluate('window.__startFrames()');
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = await page.evaluate<number[]>('window.__stopFrames()');
  await page.evaluate('window.__startFrames()');
  const update = db.prepare('UPDATE tasks SET state = ?, updated_at = ? WHERE id = ? RETURNING *');
  let changes = 0;
  const ended = Date.now() + LIVE_MS;
  for (let tick = 0; Date.now() < ended; tick++) {
    const rows = db.transaction(() =>
      Array.from({ length: perTick }, (_, k) => {
        const id = ids[(tick * perTick + k) % ids.length] ?? 0;
        return update.get(LIVE_STATES[(tick + k) % LIVE_STATES.length], Date.now(), id) as TaskRow;
      }),
    )();
    // As the server's own engine does for the runs it drives: each change goes to the hub at once.
    for (const row of rows) web.server.context.events.publish(row, null);
    changes += rows.length;
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const frames = await page.evaluate<number[]>('window.__stopFrames()');
  // The counters must end where the database is: every change arrived.
  const running = db.prepare("SELECT count(*) FROM tasks WHERE state = 'running'").pluck().get() as number;
  await page.getByText(`running ${running}`, { exact: true }).waitFor({ timeout: 30_000 });
  return { frames, idle, changes };
}

/**
 * Issue 5 figures, in Chromium over a real server: the subjects table with 10,000 subjects (first
 * render from navigation to painted rows, a filter keystroke to painted new rows) and the grid with
 * 5,000 tasks changing live over SSE (frame times while 2,500 changes a second stream in).
 */
export async function runWebBench(): Promise<void> {
  const web = await startWebServer({ demoSubjects: 0, prepare: fillCatalogForBench });
  const chrome = await launchChromium();
  try {
    const page = chrome.page;
    await page.addInitScript({ content: PAGE_HELPERS });
    await page.goto(`${web.url}/`);
    await logIn(page);
    await page.getByText('10,000 subjects').waitFor({ timeout: 30_000 });
    const render = await measureFirstRender(page, web.url);
    const filter = await measureFilter(page);
    const ids = insertTasks(web.server.context.catalog.db);
    const live = [];
    for (const perTick of CHANGE_RATES) live.push(await measureLiveGrid(page, web, ids, perTick));
    const rows = [
      `| subjects table, first render (navigation → rows painted), ${SUBJECTS.toLocaleString('en')} subjects | median ${ms(median(render))}, max ${ms(Math.max(...render))} (${RENDER_RUNS} runs) | under 1 s |`,
      `| filter keystroke (keydown → new rows painted), 9,999 ↔ 1,000 matching | median ${ms(median(filter.times))}, max ${ms(Math.max(...filter.times))} (${FILTER_RUNS} runs); of which the request ${ms(median(filter.api))} | under 100 ms |`,
      ...live.map(
        (l) =>
          `| grid, ${TASKS.toLocaleString('en')} tasks, ${Math.round((l.changes / LIVE_MS) * 1000).toLocaleString('en')} state changes/s over SSE for ${LIVE_MS / 1000} s | frame time p95 ${ms(percentile(l.frames, 95))}, max ${ms(Math.max(...l.frames))} (${l.frames.length} frames) | under 50 ms |`,
      ),
      `| the same grid idle (the machine's noise floor) | frame time p95 ${ms(percentile(live[0]?.idle ?? [], 95))}, max ${ms(Math.max(...(live[0]?.idle ?? [])))} (${live[0]?.idle.length ?? 0} frames) | |`,
    ];
    const text = `## Web UI (issue 5)

\`bench/web-bench.ts\`: Debian Chromium (headless, driven by playwright-core) against a real \`cohort\` server on
loopback over a synthetic SQLite catalog (${SUBJECTS.toLocaleString('en')} subjects, 15,000 studies, 45,000 files). Times
are taken in the page (\`performance.now()\`, a MutationObserver for the rows, then the next animation frame as
"painted"), so they include the API request, SQLite, JSON and React. The grid holds ${TASKS.toLocaleString('en')} tasks
whose states the bench changes in the database every ${TICK_MS} ms (${CHANGE_RATES.join(', then ')} at a time) and hands to the server's event
hub, as its engine does for the runs it drives; the hub streams them, the grid applies them in batches every 250 ms. Frame time = the gap between animation frames.
Machine: ${machineLine()}; load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end (the machine is shared).

| what | result | target |
|---|---|---|
${rows.join('\n')}`;
    console.log(text);
    writeSection('web', text);
  } finally {
    await chrome.close();
    await web.close();
  }
}

if (process.argv[1]?.endsWith('web-bench.ts') === true) await runWebBench();
