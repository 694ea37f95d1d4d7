import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src/catalog/catalog.js';
import { createProject } from '../../src/catalog/project-store.js';
import { studySortKey } from '../../src/catalog/study-order.js';
import type { CohortConfig } from '../../src/config/resolve-config.js';
import { PAGE_ROWS } from '../../web/src/shared/use-paged-rows.js';
import { launchChromium, type Chromium } from './chromium.js';
import { logIn, tableRows } from './ui-steps.js';
import { startWebServer, type WebServer } from './web-server.js';

/** Subjects of the catalog: a few pages and a short last one. */
const SUBJECTS = 4 * PAGE_ROWS + 37;
const pid = (n: number): string => `S${String(n).padStart(4, '0')}`;

/** One project of SUBJECTS subjects (one study, one file each), written with plain SQL. */
function fill(config: CohortConfig): void {
  const root = join(config.home, 'paging-root');
  mkdirSync(root, { recursive: true });
  const catalog = openCatalog(config);
  const db = catalog.db;
  const project = createProject(db, { name: 'paging', root, layout: 'folders' });
  const subject = db.prepare('INSERT INTO subjects (project_id, pid, folder) VALUES (?, ?, ?)');
  const study = db.prepare(
    'INSERT INTO studies (project_id, subject_id, sid, folder, sort_key) VALUES (?, ?, ?, ?, ?)',
  );
  const file = db.prepare(
    'INSERT INTO files (project_id, study_id, path, size, mtime_ms) VALUES (?, ?, ?, 1, 0)',
  );
  db.transaction(() => {
    // Inserted out of order: the table's order is the subject id's, not the row id's.
    for (let i = SUBJECTS; i >= 1; i--) {
      const subjectId = subject.run(project.id, pid(i), pid(i)).lastInsertRowid;
      const studyId = study.run(
        project.id,
        subjectId,
        '20210101',
        `${pid(i)}/20210101`,
        studySortKey('20210101'),
      ).lastInsertRowid;
      file.run(project.id, studyId, 't1/s001.nii');
    }
  })();
  catalog.close();
}

/**
 * Issue 21: the subjects table pages by key. Scrolling down asks each next page `after=` the last
 * subject of the page before (the server starts there by index instead of walking `offset` rows), and
 * the rows are those of paging by offset: every subject once, in order.
 */
describe('the web subjects table pages by key', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 0, prepare: fill });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('asks the next pages after the last subject shown and shows every subject once, in order', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(20_000);
    const asked: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/subjects')) asked.push(url);
    });
    await page.goto(`${web.url}/`);
    await logIn(page);
    await page.getByText(`${SUBJECTS} subjects`).waitFor();
    const rows = tableRows(page);
    await rows.first().waitFor();
    const list = page.getByRole('rowgroup', { name: 'subjects rows' });
    const seen = new Set<string>();
    const order: string[] = [];
    // Scroll a little at a time, as a reader does, collecting the rows drawn.
    for (let step = 0; step < 200 && !seen.has(pid(SUBJECTS)); step++) {
      for (const text of await rows.allInnerTexts()) {
        const id = /S\d{4}/.exec(text)?.[0];
        if (id !== undefined && !seen.has(id)) {
          seen.add(id);
          order.push(id);
        }
      }
      await list.hover();
      await page.mouse.wheel(0, 300);
      await page.waitForTimeout(50);
    }
    expect(order).toEqual(Array.from({ length: SUBJECTS }, (_, i) => pid(i + 1)));
    // Every page after the first went by key, after the last subject of the page before it.
    const later = asked.filter((url) => Number(url.searchParams.get('offset')) > 0);
    expect(later.length).toBeGreaterThanOrEqual(4);
    for (const url of later) {
      const offset = Number(url.searchParams.get('offset'));
      expect(url.searchParams.get('after'), url.search).toBe(pid(offset));
    }
    // The 401 is the page asking who is logged in before the login.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
  }, 120_000);
});
