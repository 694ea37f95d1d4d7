import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { logIn, screenshot, tableRows } from './ui-steps.js';
import { cohort, startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

const FILE_NAME = '<img src=x onerror=window.__xss=1>.nii';
// The API refuses such a tag; one stored by other means (an old import, SQL) must still show as text.
const STORED_TAG = '<script>window.__xss=2</script>';
const TYPED_TAG = '<b>bold</b>';

/** User-provided text (file names, tags, error messages) is shown as text, never run as HTML. */
describe('web UI renders user text as text', () => {
  let web: WebServer;
  let chrome: Chromium;

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 2 });
    const db = web.server.context.catalog.db;
    const root = db.prepare("SELECT root FROM projects WHERE name = 'demo'").pluck().get() as string;
    const study = db
      .prepare(
        "SELECT st.folder FROM studies st JOIN subjects s ON s.id = st.subject_id WHERE s.pid = 'P001'",
      )
      .pluck()
      .get() as string;
    writeFileSync(join(root, study, FILE_NAME), 'not an image');
    await cohort(web.config, ['rescan', '--project', 'demo']);
    db.prepare(
      "INSERT INTO subject_tags (subject_id, tag) SELECT id, ? FROM subjects WHERE pid = 'P001'",
    ).run(STORED_TAG);
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('shows HTML in a file name, a stored tag and a refused tag as plain text', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(20_000);
    await page.goto(`${web.url}/`);
    await logIn(page);

    const subjects = tableRows(page);
    await eventually(() => subjects.count()).toBe(2);
    await eventually(() => subjects.nth(0).locator('.chip').allTextContents()).toContain(`${STORED_TAG}×`);

    // A tag typed with HTML is refused by the server; the message quotes it, as text.
    await subjects.nth(1).getByRole('button', { name: 'Add tag' }).click();
    await page.getByLabel('New tag').fill(TYPED_TAG);
    await page.getByLabel('New tag').press('Enter');
    await eventually(() => page.getByRole('alert').textContent()).toContain(`Invalid tag '${TYPED_TAG}'`);

    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByLabel('Filter', { exact: true }).fill('P001');
    const files = tableRows(page, 'files');
    await eventually(() => files.allTextContents()).toContainEqual(expect.stringContaining(FILE_NAME));
    await screenshot(page, '06-files-with-html-names');

    expect(await page.locator('#root img, #root script, #root b').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
  }, 120_000);
});
