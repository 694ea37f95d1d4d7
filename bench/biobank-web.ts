import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { openCatalog } from '../src/catalog/catalog.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { startServer } from '../src/server/serve.js';
import { createUser, findUser, grantRole } from '../src/users/user-store.js';
import { findProject } from '../src/catalog/project-store.js';
import { launchChromium } from '../test/web/chromium.js';
import { logIn } from '../test/web/ui-steps.js';
import { USER, WEB_DIST } from '../test/web/web-server.js';
import { BIOBANK_HOME } from './biobank-index.js';
import { median, ms } from './measure.js';
import { measureFilter, measureFirstRender, PAGE_HELPERS } from './web-bench.js';
import { COUNT_DELAY_MS } from '../web/src/shared/use-paged-rows.js';

export interface WebFigures {
  readonly subjects: number;
  readonly render: number[];
  readonly filter: number[];
  readonly api: number[];
  /** The keystroke with a file pattern in the filter (FILE_FILTER), and its total's arrival. */
  readonly fileFilter?: number[];
  readonly fileTotal?: number[];
  readonly load: number;
}

/**
 * A filter with a file pattern, whose total tests 2,000,000 files: `… & S00` (999 subjects) ↔
 * `… & S001` (100). The rows must not wait for that count, which the table asks once typing pauses
 * (the first of each is counted, later ones remembered: the catalog does not change meanwhile).
 */
const FILE_FILTER = 't1_mprage*/s000* & S00';
const FILE_RUNS = 6;

/** Keydown to rows painted for FILE_FILTER's keystrokes, and keydown to the new total shown. */
async function measureFileFilter(page: Page): Promise<{ rows: number[]; total: number[] }> {
  const filter = page.getByLabel('Filter', { exact: true });
  await filter.fill(FILE_FILTER);
  await page.getByText('999 subjects', { exact: true }).waitFor({ timeout: 60_000 });
  const rows: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < FILE_RUNS; i++) {
    const narrow = i % 2 === 0;
    await page.evaluate(`window.__armFilter(${JSON.stringify(narrow ? 'S00100' : 'S00001')})`);
    const started = Date.now();
    await page.keyboard.press(narrow ? '1' : 'Backspace');
    rows.push(await page.evaluate<number>('window.__filterResult'));
    await page
      .getByText(narrow ? '100 subjects' : '999 subjects', { exact: true })
      .waitFor({ timeout: 60_000 });
    total.push(Date.now() - started);
  }
  return { rows, total };
}

/**
 * The grid part's tasks have no provenance (the engine's rows without a batch behind them): a server's
 * run supervisor would adopt their run and stop on the first one, so they go before the server starts.
 */
function removeGridTasks(databasePath: string): void {
  const catalog = openCatalog(resolveConfig({ databasePath }, {}));
  catalog.db.exec(`DELETE FROM tasks WHERE run_id IN (SELECT id FROM runs WHERE batch_name = 'biobank');
    DELETE FROM runs WHERE batch_name = 'biobank';`);
  catalog.close();
}

/**
 * The subjects table of the biobank catalog in Debian Chromium (headless, playwright-core) over a real
 * server: first render, and the filter keystroke (keydown to new rows painted) as bench/web-bench.ts
 * measures it: `S0` (9,999 subjects) ↔ `S01` (1,000).
 */
export async function runBiobankWeb(): Promise<WebFigures> {
  const config = resolveConfig(
    { home: BIOBANK_HOME },
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: BIOBANK_HOME },
  );
  removeGridTasks(config.databasePath);
  const server = await startServer(config, { port: 0, host: '127.0.0.1', staticDir: WEB_DIST });
  const db = server.context.catalog.db;
  // The server part's token user came first and is the catalog's admin: this one needs a role, else
  // the UI lists no project and never shows the table (the "no subject count within 60 s" of the
  // first biobank run).
  const user = findUser(db, USER.name) ?? (await createUser(db, USER));
  grantRole(db, user.id, findProject(db, 'biobank').id, 'admin');
  const subjects = db.prepare('SELECT count(*) FROM subjects').pluck().get() as number;
  const chrome = await launchChromium();
  try {
    const page = chrome.page;
    await page.addInitScript({ content: PAGE_HELPERS });
    await page.goto(`${server.url}/`);
    await logIn(page);
    await page.getByText(`${subjects.toLocaleString('en')} subjects`).waitFor({ timeout: 60_000 });
    const load = loadavg()[0] ?? 0;
    const render = await measureFirstRender(page, server.url);
    const filter = await measureFilter(page);
    const file = await measureFileFilter(page);
    return {
      subjects,
      render,
      filter: filter.times,
      api: filter.api,
      fileFilter: file.rows,
      fileTotal: file.total,
      load,
    };
  } finally {
    await chrome.close();
    await server.close();
  }
}

/** The web part's markdown. */
export function biobankWebLine(f: WebFigures): string {
  return `Web UI on the same catalog (Debian Chromium headless, real server on loopback; times taken in the page
as in \`bench/web-bench.ts\`), load average ${f.load.toFixed(1)} before:

| what | result | target |
|---|---|---|
| subjects table, first render (navigation → rows painted), ${f.subjects.toLocaleString('en')} subjects | median ${ms(median(f.render))}, max ${ms(Math.max(...f.render))} (${f.render.length} runs) | |
| filter keystroke (keydown → new rows painted), \`S0\` 9,999 ↔ \`S01\` 1,000 matching | median ${ms(median(f.filter))}, max ${ms(Math.max(...f.filter))} (${f.filter.length} runs); of which the request ${ms(median(f.api))} | under 100 ms |${
    f.fileFilter === undefined || f.fileTotal === undefined
      ? ''
      : `
| filter keystroke with a file pattern, \`${FILE_FILTER}\` 999 ↔ \`…1\` 100 matching (keydown → rows painted) | median ${ms(median(f.fileFilter))}, max ${ms(Math.max(...f.fileFilter))} (${f.fileFilter.length} runs) | under 100 ms |
| the same, keydown → its total shown (asked ${COUNT_DELAY_MS} ms after the last keystroke; counted over all files) | median ${ms(median(f.fileTotal))}, max ${ms(Math.max(...f.fileTotal))} | |`
  }`;
}
