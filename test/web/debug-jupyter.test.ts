import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot, taskRow } from './ui-steps.js';
import { cohort, startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 200 });

/**
 * Issue 15 in real Chromium: a failed task's "Jupyter" action in the grid starts a notebook server
 * task (Debian's jupyter-notebook on the local executor), the notebook opens in a new tab with the
 * task's values in its setup cell, and the grid's Kill ends the server.
 */
describe('Debug in Jupyter from the grid', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 1 });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    // A test that failed before its Kill must not leave a notebook server behind for an hour.
    if (web !== undefined) await cohort(web.config, ['grid', 'kill-all']).catch(() => undefined);
    await chrome?.close();
    await web?.close();
  });

  it('opens the failed task as a running notebook in a new tab, and kills it', async () => {
    const batch = join(web.home, 'failing.json');
    writeFileSync(
      batch,
      JSON.stringify({
        name: 'failing',
        level: 'study',
        jobs: [
          {
            name: 'Size check',
            language: 'python',
            script: 'import os\nsize = os.path.getsize($f1)\nraise SystemExit(f"too small: {size}")\n',
            args: [{ type: 'FILE', name: 'f1', patterns: ['t1_mprage*/s0__.nii'], ref: { kind: 'current' } }],
          },
        ],
      }),
    );
    await cohort(web.config, ['run', batch, 'P001#OLDEST']).catch(() => undefined);

    const page = chrome.page;
    page.setDefaultTimeout(60_000);
    await page.goto(`${web.url}/`);
    await logIn(page);
    await goTo(page, 'Grid');
    const failed = taskRow(page, 'P001#', 'error');
    await failed.waitFor();
    const [tab] = await Promise.all([
      chrome.context.waitForEvent('page'),
      failed.getByRole('button', { name: 'Jupyter' }).click(),
    ]);
    await tab.waitForURL(/\/cohort\/task-\d+\/notebooks\/notebook\.ipynb\?token=[0-9a-f]{48}$/, {
      timeout: 120_000,
    });
    // Jupyter's own page, showing the setup cell with the task's input.
    await eventually(() => tab.locator('.code_cell').first().textContent()).toContain('cohort_args');
    await eventually(() => tab.locator('body').textContent()).toContain('s001.nii');
    await screenshot(tab, '15-jupyter-notebook');

    const server = taskRow(page, 'P001#', 'running').filter({ hasText: 'Jupyter: Size check' });
    await server.waitFor();
    await server.getByRole('button', { name: 'Kill' }).click();
    await eventually(async () => {
      const answer = await page.request.get(`${web.url}/api/projects/demo/tasks?all=1`);
      const body = (await answer.json()) as { tasks: Array<{ jobName: string; state: string }> };
      return body.tasks.find((t) => t.jobName === 'Jupyter: Size check')?.state;
    }).toBe('killed');
    // The 401 is the app asking who is logged in before the login.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  }, 240_000);
});
