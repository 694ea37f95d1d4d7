import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCohort } from '../helpers/cli-process.js';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot } from './ui-steps.js';
import { startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** The Autoexec page in real Chromium against a real server: add a rule, fire it, read its log, remove it. */
describe('autoexec page', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 2 });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('adds a rule on a tag, fires it, shows the run it started in the log, and removes it', async () => {
    const batch = join(web.home, 'touch.json');
    writeFileSync(
      batch,
      JSON.stringify({
        name: 'touch',
        level: 'study',
        jobs: [
          {
            name: 'Touch',
            language: 'bash',
            script: 'echo "$f1" > "$o1"',
            args: [
              { type: 'FILE', name: 'f1', patterns: ['*.nii*'], ref: { kind: 'current' } },
              { type: 'OUT', name: 'o1', path: 'auto/seen.txt', ref: { kind: 'current' } },
            ],
          },
        ],
      }),
    );
    expect(runCohort(['batch', 'save', batch, '--folder', 'qc'], { COHORT_HOME: web.home }).code).toBe(0);
    const page = chrome.page;
    page.setDefaultTimeout(20_000);
    await page.goto(`${web.url}/`);
    await logIn(page);
    await goTo(page, 'Autoexec');
    const form = page.getByRole('form', { name: 'Rule' });
    await form.getByLabel('Name').fill('seen');
    await form.getByLabel('Saved batch').fill('qc/touch');
    // A refused rule says why and keeps what was typed, so nothing has to be entered again.
    await form.getByLabel('Trigger').fill('sometimes');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await eventually(() => page.getByRole('status').textContent()).toMatch(/trigger/i);
    expect(await form.getByLabel('Saved batch').inputValue()).toBe('qc/touch');
    await form.getByLabel('Trigger').fill('tag:baseline');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await eventually(() => form.getByLabel('Name').inputValue()).toBe('');
    const row = page.locator('tr[data-rule="seen"]');
    await eventually(() => row.textContent()).toContain('tag baseline');
    await page.getByRole('button', { name: 'Fire rules now' }).click();
    const log = page.getByRole('table', { name: 'Autoexec log' });
    await eventually(() => log.textContent()).toMatch(/seenweb\d+\d0started/);
    await screenshot(page, '15-autoexec');
    // Fired again: the same studies with the same job are not started twice.
    await page.getByRole('button', { name: 'Fire rules now' }).click();
    await page.getByText('Rules fired.').waitFor();
    expect(await log.locator('tbody tr').count()).toBe(1);
    await row.getByRole('button', { name: 'Remove' }).click();
    await eventually(() => row.count()).toBe(0);
    // The 401 is the page asking who is logged in before the login; the one 400 is the refused rule.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  }, 90_000);
});
