import { loadavg } from 'node:os';
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

export interface WebFigures {
  readonly subjects: number;
  readonly render: number[];
  readonly filter: number[];
  readonly api: number[];
  readonly load: number;
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
    return { subjects, render, filter: filter.times, api: filter.api, load };
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
| filter keystroke (keydown → new rows painted), \`S0\` 9,999 ↔ \`S01\` 1,000 matching | median ${ms(median(f.filter))}, max ${ms(Math.max(...f.filter))} (${f.filter.length} runs); of which the request ${ms(median(f.api))} | under 100 ms |`;
}
