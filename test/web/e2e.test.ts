import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, ROW_EDGE, screenshot, tableRows, taskRow } from './ui-steps.js';
import { startWebServer, type WebServer } from './web-server.js';

/** expect.poll with room for a busy two-core machine (its default is one second). */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

// One subject fails until the job is fixed: the script checks the item it runs for.
const FAILING_SCRIPT = `case "$COHORT_ITEM" in P002*) echo "P002: no usable T1 here" >&2; exit 3;; esac
mkdir -p "$(dirname "$o1")"
wc -c < "$f1" > "$o1"
`;
const FIXED_SCRIPT = `mkdir -p "$(dirname "$o1")"
wc -c < "$f1" > "$o1"
`;

/**
 * The workflow of issue 5 in real Chromium against a real server over a demo project: log in, filter
 * and select subjects, compose a generic BASH batch, preview, run on the local executor, watch the
 * grid, find the failing subject with JOB:e, fix the job, rerun that subgroup, see it done.
 */
describe('web UI end to end', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 4 });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('logs in (rate limit shown), filters, composes, previews, runs, watches, reruns the failed', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(20_000);
    await page.goto(`${web.url}/`);

    // Login: wrong passwords, then the limiter's 429 message.
    for (let i = 0; i < 5; i++) {
      await logIn(page, 'mallory', 'not-the-password');
      await eventually(() => page.getByRole('alert').textContent()).toContain('Wrong user name or password');
    }
    await logIn(page, 'mallory', 'not-the-password');
    await eventually(() => page.getByRole('alert').textContent()).toContain('Too many');
    await screenshot(page, '01-login');
    await logIn(page);

    // Subjects: server-side filter language (AND, then OR), then selection by click and shift-click.
    const rows = tableRows(page);
    await eventually(() => rows.count()).toBe(4);
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.fill('P00 & PTAG:patient');
    await eventually(() => rows.allTextContents()).toEqual([
      expect.stringContaining('P003'),
      expect.stringContaining('P004'),
    ]);
    await filter.fill('P002 P003');
    await eventually(() => rows.allTextContents()).toEqual([
      expect.stringContaining('P002'),
      expect.stringContaining('P003'),
    ]);
    await rows.nth(0).click({ position: ROW_EDGE });
    await rows.nth(1).click({ position: ROW_EDGE, modifiers: ['Shift'] });
    await eventually(() => page.getByText('2 subject(s) selected').count()).toBe(1);
    await screenshot(page, '02-subjects');

    // Composer: a BASH job whose $f1/$o1 become rows; a wrong pattern first (red), then the right one.
    await goTo(page, 'Batch composer');
    await page.getByLabel('Batch name').fill('e2e-qc');
    await page.getByLabel('Add job').selectOption('generic:bash');
    const job = page.getByRole('region', { name: 'Job 1' });
    await job.getByLabel('Script', { exact: true }).fill(FAILING_SCRIPT);
    await job.getByRole('group', { name: 'Argument o1' }).waitFor();
    await job.getByRole('group', { name: 'Argument f1' }).waitFor();
    await job.getByLabel('f1 patterns').fill('t2_nothing*/*.nii');
    await job.getByLabel('o1 path').fill('qc/t1-size.txt');
    await page.getByText('Runs on 2 selected subjects').waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Resolution preview' });
    await eventually(() => preview.locator('td.miss').count()).toBe(3);
    expect(await preview.locator('td.miss').first().textContent()).toContain('no file matches t2_nothing');
    await job.getByLabel('f1 patterns').fill('t1_mprage*/*.nii');
    await page.getByRole('button', { name: 'Preview' }).click();
    await eventually(() => preview.locator('td.miss').count()).toBe(0);
    await page.getByText('3 items: 3 ready, 0 cannot run').waitFor();
    await page.getByLabel('Folder', { exact: true }).fill('qc');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('complementary', { name: 'Batch list' })
      .getByRole('button', { name: 'e2e-qc', exact: true })
      .waitFor();
    await screenshot(page, '03-composer');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText('Run 1 started: 3 tasks.').waitFor();

    // Grid: the two P003 studies finish (hidden until "show finished"), P002 fails and stays, red.
    await goTo(page, 'Grid');
    const failed = taskRow(page, 'P002#20200503', 'error');
    await failed.waitFor({ timeout: 60_000 });
    expect(await failed.getAttribute('class')).toContain('tone-error');
    await page.getByText('error 1').waitFor();
    await page.getByText('done 2').waitFor();
    // The run's progress bar: all three tasks ended, one failed.
    const bar = page.getByRole('progressbar', { name: 'Run 1' });
    await eventually(() => bar.getAttribute('aria-valuenow')).toBe('3');
    expect(await bar.getAttribute('aria-valuemax')).toBe('3');
    await page.getByText('3/3 ended · 1 failed').waitFor();
    expect(await taskRow(page, 'P003#', 'done').count()).toBe(0);
    await page.getByLabel('show finished').check();
    await eventually(() => taskRow(page, 'P003#', 'done').count()).toBe(2);
    await failed.getByRole('button', { name: 'BASH job' }).click();
    // The task in sections (its T1 input, the command, exit code), the raw JSON one click away.
    await eventually(() => page.getByLabel('Inputs').textContent()).toContain('P002');
    await eventually(() => page.getByLabel('Times').textContent()).toMatch(/error \(exit \d+\)/);
    expect(await page.getByLabel('Command').textContent()).toContain('bash');
    // Beside the panel the table keeps the columns one acts on, none squeezed to a stub (1400 px wide).
    const header = (name: string) => page.getByRole('columnheader', { name, exact: true });
    expect(await header('Owner').count()).toBe(0);
    for (const name of ['Function', 'Subject / study', 'Error']) {
      expect((await header(name).boundingBox())?.width ?? 0).toBeGreaterThan(80);
    }
    await page.getByRole('button', { name: 'Show raw JSON' }).click();
    await eventually(() => page.getByLabel('Task JSON').textContent()).toContain('"item": "P002#20200503"');
    await failed.getByRole('button', { name: 'Log' }).click();
    await eventually(() => page.locator('.side-panel h2').textContent()).toContain('Log of task');
    expect(await page.locator('.side-panel h2').textContent()).toContain('P002#20200503');
    await page.getByLabel('Stream').selectOption('stderr');
    await eventually(() => page.locator('.log-text').textContent()).toContain('P002: no usable T1 here');
    await screenshot(page, '04-grid');

    // The erroneous subgroup: JOB:e in the table, select it, fix the job, run it again.
    await goTo(page, 'Subjects');
    // The table's job dots followed the run live (still filtered to P002 P003).
    await eventually(() => rows.nth(0).locator('.job-e').textContent()).toBe('1');
    await filter.fill('JOB:e');
    await eventually(() => rows.allTextContents()).toEqual([expect.stringContaining('P002')]);
    expect(await rows.nth(0).locator('.job-e').textContent()).toBe('1');
    await rows.nth(0).click({ position: ROW_EDGE });
    await goTo(page, 'Batch composer');
    await page.getByText('Runs on 1 selected subject').waitFor();
    await job.getByLabel('Script', { exact: true }).fill(FIXED_SCRIPT);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByText('Run 2 started: 1 tasks.').waitFor();
    await goTo(page, 'Grid');
    await taskRow(page, 'P002#20200503', 'done').waitFor({ timeout: 60_000 });
    // The failed task of run 1 stays for analysis until errors are cleared.
    expect(await taskRow(page, 'P002#20200503', 'error').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear errors' }).click();
    await eventually(() => taskRow(page, 'P002#20200503', 'error').count()).toBe(0);
    await screenshot(page, '05-grid-rerun-done');

    // "show finished" is remembered across a reload.
    await page.reload();
    await eventually(() => page.getByLabel('show finished').isChecked()).toBe(true);
    // The item link of a study-level task selects that study (not the subject) in the studies table.
    await taskRow(page, 'P002#20200503', 'done').getByRole('button', { name: 'P002#20200503' }).click();
    await eventually(() => filter.inputValue()).toBe('P002');
    const study = tableRows(page, 'studies').filter({ hasText: 'P002#20200503' });
    await eventually(() => study.locator('.trow').getAttribute('aria-selected')).toBe('true');
    await page.getByText('1 stud(y/ies) selected').waitFor();
    // 401 (before login) and 429 (the rate limit) were asked for; nothing else may fail.
    expect(errors.filter((e) => !/status of (401|429)/.test(e))).toEqual([]);
  }, 240_000);

  it('suspends, resumes and kills a running task from the grid', async () => {
    const page = chrome.page;
    // Logged in by the test above. A long task started over the API with the page's session cookie.
    const started = await page.request.post(`${web.url}/api/projects/demo/runs`, {
      data: {
        batch: {
          name: 'sleeper',
          level: 'study',
          jobs: [{ name: 'Sleep', language: 'bash', script: 'sleep 120', args: [] }],
        },
        selector: ['P001'],
      },
    });
    expect(started.status()).toBe(201);
    await goTo(page, 'Grid');
    const row = (state: string) => taskRow(page, 'P001#', state).filter({ hasText: 'Sleep' });
    await row('running').waitFor({ timeout: 60_000 });
    expect(await row('running').getAttribute('class')).toContain('tone-running');
    // Several tasks, one action: tick each Sleep task, suspend them together, resume them together.
    const sleepers = page.locator('.trow.task').filter({ hasText: 'Sleep' });
    await eventually(() =>
      sleepers.filter({ has: page.locator('.badge', { hasText: /^running$/ }) }).count(),
    ).toBe(await sleepers.count());
    const n = await sleepers.count();
    for (let i = 0; i < n; i++) await sleepers.nth(i).getByRole('checkbox').check();
    await page.getByText(`${n} selected`).waitFor();
    await page.getByRole('button', { name: 'Suspend selected' }).click();
    await eventually(() => row('suspended').count()).toBe(n);
    await page.getByRole('button', { name: 'Resume selected' }).click();
    await eventually(() => row('running').count()).toBe(n);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await row('running').getByRole('button', { name: 'Suspend' }).click();
    await row('suspended').waitFor();
    await row('suspended').getByRole('button', { name: 'Resume' }).click();
    await row('running').waitFor();
    await row('running').getByRole('button', { name: 'Kill' }).click();
    await row('killed').waitFor();
    expect(await row('killed').getAttribute('class')).toContain('tone-error');
  }, 120_000);
});
