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
 * task's values in its setup cell; the server's row shows the URL with its token as text, and saves
 * the edited job cell back into the batch (the diff first, then a new version); Kill ends the server.
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
    // Saved too: the notebook's edited job cell goes back into the saved batch.
    await cohort(web.config, ['batch', 'save', batch]);
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

    // The server's row shows its URL with the token as text, the one the tab opened.
    await server.getByRole('button', { name: 'Notebook' }).click();
    const shown = page.getByLabel('Notebook URL');
    await eventually(() => shown.inputValue()).toMatch(/\?token=[0-9a-f]{48}$/);
    const opened = await shown.inputValue();
    // Beside the panel, every button of the server's row is whole (none cut off by its cell).
    const actions = server.locator('.actions');
    const cellBox = await actions.boundingBox();
    const clipped: string[] = [];
    for (const button of await actions.getByRole('button').all()) {
      const box = await button.boundingBox();
      if (cellBox !== null && box !== null && box.x + box.width > cellBox.x + cellBox.width + 0.5)
        clipped.push((await button.textContent()) ?? '');
    }
    expect(clipped).toEqual([]);
    // Jupyter takes the token out of the address bar once its page has loaded.
    expect(opened.split('?')[0]).toBe(tab.url().split('?')[0]);

    // Edit the job cell as Jupyter's Save does (its contents API), then save it back from the grid.
    const notebook = new URL(opened);
    const token = notebook.searchParams.get('token') ?? '';
    const contents = `${notebook.origin}${notebook.pathname.replace('/notebooks/', '/api/contents/')}`;
    const auth = { Authorization: `token ${token}` };
    const model = (await (await fetch(contents, { headers: auth })).json()) as {
      content: { cells: Array<{ metadata: { tags?: string[] }; source: string }> };
    };
    const cell = model.content.cells.find((c) => c.metadata.tags?.includes('cohort-job'));
    if (cell === undefined) throw new Error('no job cell');
    cell.source = cell.source.replace('too small', 'size checked');
    const put = await fetch(contents, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'notebook', format: 'json', content: model.content }),
    });
    expect(put.status).toBe(200);
    await page.getByRole('button', { name: 'Show changes' }).click();
    const diff = page.getByLabel("Changes to the job's script");
    await eventually(() => diff.textContent()).toContain('+raise SystemExit(f"size checked: {size}")');
    expect(await diff.textContent()).toContain('-raise SystemExit(f"too small: {size}")');
    await screenshot(page, '15-notebook-save-back');
    await page.getByRole('button', { name: "Save as a new version of 'failing'" }).click();
    await page
      .getByText("Saved 'failing' with the notebook's job 1; the version before is 'failing~1'.")
      .waitFor();
    const saved = await cohort(web.config, ['batch', 'show', 'failing']);
    expect(saved).toContain('size checked');
    expect(await cohort(web.config, ['batch', 'show', 'failing~1'])).toContain('too small');
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
