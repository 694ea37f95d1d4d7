import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot, tableRows } from './ui-steps.js';
import { startWebServer, type WebServer } from './web-server.js';

const DICOM = resolve(import.meta.dirname, '../../test-data/dicom');
// Three series: PatientIDs 1234 (two DWI volumes of one series), Anon, and the Philips phantom (a 23 MB multi-frame MPRAGE).
const FILES = ['0.dcm', '1.dcm', 'decimal_rescale.dcm', 'philips_mprage.dcm'];

/**
 * Issue 16 item 2 in real Chromium: the projects page imports a folder of real DICOM files (dcm2niix)
 * as a server operation whose progress the page shows while it runs, then rescans and creates with
 * progress too; a folder the server must not read is refused with the reason.
 */
describe('projects page: import DICOM, rescan and create with progress', () => {
  let web: WebServer;
  let chrome: Chromium;
  let outside: string;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 2 });
    chrome = await launchChromium(errors);
    outside = mkdtempSync(join(tmpdir(), 'cohort-dicom-web-'));
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
    if (outside !== undefined) rmSync(outside, { recursive: true, force: true });
  });

  it('imports real DICOM into a project, showing the operation running and then its summary', async () => {
    const source = join(outside, "scan 'one' ü");
    mkdirSync(source);
    for (const f of FILES) copyFileSync(join(DICOM, f), join(source, f));
    const page = chrome.page;
    page.setDefaultTimeout(60_000);
    await page.goto(`${web.url}/`);
    await logIn(page);
    await goTo(page, 'Projects');
    // Every state and line of progress the page draws, as it draws them (polls may be quicker than a test).
    // (A string: the tests' TypeScript has no DOM types; this runs in the page.)
    await page.evaluate(`
      window.seen = [];
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('.operation'))
          window.seen.push(el.querySelector('.operation-state')?.textContent + ' | ' + el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    `);

    const form = page.getByRole('form', { name: 'Import DICOM' });
    await form.getByLabel('DICOM folder on the server').fill(source);
    await form.getByLabel('Into project').selectOption('demo');
    await form.getByRole('button', { name: 'Import' }).click();
    const op = page.locator('.operation').first();
    await op.getByText(/Imported 3 series into 3 studies of 'demo'/).waitFor();
    expect(await op.locator('.operation-state').textContent()).toBe('done');
    expect(await op.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const seen = await page.evaluate<string[]>('window.seen');
    expect(seen.some((s) => s.startsWith('running | ') && /converting: \d+ of/.test(s))).toBe(true);
    expect(seen.at(-1)).toMatch(/^done \| .*files seen \(\d+ added/);
    await screenshot(page, '16-import-dicom');

    // The imported studies are in the catalog: the subjects table finds the DICOMs' PatientIDs.
    await goTo(page, 'Subjects');
    await page.getByLabel('Filter', { exact: true }).fill('1234 Anon');
    await expect.poll(() => tableRows(page).count(), { timeout: 20_000 }).toBe(2);

    // Refused before anything starts: Cohort's own folder, a folder that does not exist.
    await goTo(page, 'Projects');
    await form.getByLabel('DICOM folder on the server').fill(web.home);
    await form.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('status')
      .getByText(/Cannot import from .*Cohort's own folder/)
      .waitFor();
    await form.getByLabel('DICOM folder on the server').fill(join(outside, 'missing'));
    await form.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('status')
      .getByText(/does not exist/)
      .waitFor();
    // A folder without DICOM files starts, and fails with dcm2niix's reason and the fix.
    const empty = join(outside, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.txt'), 'no images');
    await form.getByLabel('DICOM folder on the server').fill(empty);
    await form.getByRole('button', { name: 'Import' }).click();
    await page
      .locator('.operation')
      .first()
      .getByRole('alert')
      .getByText(/dcm2niix/)
      .waitFor();
    expect(await page.locator('.operation').first().locator('.operation-state').textContent()).toBe('error');
  }, 180_000);

  it('rescans and creates a project as operations with their counts', async () => {
    const page = chrome.page;
    const folder = join(outside, 'tree');
    for (let s = 1; s <= 30; s++)
      for (let f = 1; f <= 20; f++) {
        const dir = join(folder, `S${String(s).padStart(3, '0')}`, '20240101', 't1');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `s${f}.nii`), 'x');
      }
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name').fill('tree');
    await form.getByLabel('Folder on the server').fill(folder);
    await form.getByRole('button', { name: 'Create and index' }).click();
    const created = page.locator('.operation').first();
    await created.getByText(/Indexed 'tree' .* 30 subjects and 30 studies added; files: 600 added/).waitFor();
    expect(await created.locator('.operation-progress').textContent()).toMatch(
      /^600 files seen \(600 added, 0 changed, 0 missing\) · 30 subjects, 30 studies added · [\d.]+ files\/s/,
    );
    const row = page.locator('tr[data-project="tree"]');
    await row.waitFor();
    writeFileSync(join(folder, 'S001/20240101/t1/new.nii'), 'n');
    await row.getByRole('button', { name: 'Rescan' }).click();
    await page
      .locator('.operation')
      .first()
      .getByText(/Indexed 'tree' .* files: 1 added, 0 changed, 0 marked missing, 600 unchanged/)
      .waitFor();
    await screenshot(page, '17-project-operations');
    // 401: the session check before logging in; 4xx: the refused imports above.
    expect(errors.filter((e) => !/status of (401|400|404)/.test(e))).toEqual([]);
  }, 120_000);
});
