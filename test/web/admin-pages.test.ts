import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot } from './ui-steps.js';
import { startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/**
 * The pages that replace CLI-only chores, in real Chromium against a real server, as a server admin:
 * projects (create from a folder, rescan), queues (add, edit, default), the job library, users, roles
 * and tokens. A screenshot of each.
 */
describe('admin and reference pages', () => {
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

  it('creates and rescans projects, edits queues, lists the library, manages users, roles and tokens', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(20_000);
    await page.goto(`${web.url}/`);
    await logIn(page);

    // Projects: a new one from a folder with a space in its name, then a rescan of it.
    const folder = join(web.home, "new 'study' data");
    mkdirSync(join(folder, 'N001/20240101/t1'), { recursive: true });
    writeFileSync(join(folder, 'N001/20240101/t1/s001.nii'), 'n');
    await goTo(page, 'Projects');
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name').fill('fresh');
    await form.getByLabel('Folder on the server').fill(folder);
    await form.getByRole('button', { name: 'Create and index' }).click();
    await page.getByText(/Indexed 'fresh' .* 1 subjects and 1 studies added/).waitFor();
    const row = page.locator('tr[data-project="fresh"]');
    await row.waitFor();
    writeFileSync(join(folder, 'N001/20240101/t1/s002.nii'), 'm');
    await row.getByRole('button', { name: 'Rescan' }).click();
    // Operations list newest first: the rescan above the create.
    await page
      .locator('.operation')
      .first()
      .getByText(/Indexed 'fresh' .* files: 1 added/)
      .waitFor();
    await screenshot(page, '10-projects');

    // Queues: add, edit, make default.
    await goTo(page, 'Queues');
    const queue = page.getByRole('form', { name: 'Queue' });
    await queue.getByLabel('Name').fill('cpu');
    await queue.getByLabel('Partition / queue').fill('debug');
    await queue.getByLabel('CPUs').fill('2');
    await queue.getByRole('button', { name: 'Save queue' }).click();
    const cpu = page.locator('tr[data-queue="cpu"]');
    await eventually(() => cpu.textContent()).toContain('cpus=2');
    await cpu.getByRole('button', { name: 'Edit' }).click();
    await queue.getByLabel('Partition / queue').fill('long');
    await queue.getByRole('button', { name: 'Save queue' }).click();
    await eventually(() => cpu.textContent()).toContain('long');
    await cpu.getByRole('button', { name: 'Make default' }).click();
    await eventually(() => cpu.textContent()).toContain('default');
    await screenshot(page, '11-queues');

    // The job library: every predefined job with its arguments.
    await goTo(page, 'Job library');
    await eventually(() => page.locator('.library-entry').count()).toBeGreaterThan(3);
    const first = page.locator('.library-entry').first();
    expect(await first.locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, '12-library');

    // Users, roles, tokens.
    await goTo(page, 'Users & tokens');
    const user = page.getByRole('form', { name: 'New user' });
    await user.getByLabel('User name').fill('bob');
    await user.getByLabel('Initial password').fill('a long enough password');
    await user.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('table', { name: 'Users' }).getByText('bob').waitFor();
    const grant = page.getByRole('form', { name: 'Grant role' });
    await grant.getByLabel('User').fill('bob');
    await grant.getByLabel('Role').selectOption('run');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await eventually(() => page.getByRole('table', { name: 'Roles' }).textContent()).toContain('bobrun');
    await page.getByRole('form', { name: 'New token' }).getByLabel('Token name').fill('laptop');
    await page.getByRole('button', { name: 'Make token' }).click();
    await page.locator('.token-secret').waitFor();
    await eventually(() => page.getByRole('table', { name: 'Tokens' }).textContent()).toContain('laptop');
    await screenshot(page, '13-users');
    // 401: the session check before logging in; nothing else may fail.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  }, 180_000);

  it('composer: free-named LOGICAL, OPTION and NUMERIC rows, the queue from the list, JSON export and import', async () => {
    // Logged in by the test above, which also made the queue 'cpu'.
    const page = chrome.page;
    await goTo(page, 'Batch composer');
    await page.getByLabel('Batch name').fill('extras');
    await page.getByLabel('Add job').selectOption('generic:bash');
    const job = page.getByRole('region', { name: 'Job 1' });
    await job.getByLabel('Script', { exact: true }).fill('echo "$l1 $opt1 ${thr}" > "$o1"');
    await job.getByRole('group', { name: 'Argument o1' }).waitFor();
    for (const [name, type] of [
      ['l1', 'LOGICAL'],
      ['opt1', 'OPTION'],
      ['thr', 'NUMERIC'],
    ] as const) {
      await job.getByLabel('New argument name').fill(name);
      await job.getByLabel('New argument type').selectOption(type);
      await job.getByRole('button', { name: 'Add argument' }).click();
      await job.getByRole('group', { name: `Argument ${name}` }).waitFor();
    }
    await job.getByLabel('opt1 choices').fill('fast | slow');
    await job.getByLabel('opt1 value').selectOption('slow');
    await job.getByLabel('l1 value').check();
    await job.getByLabel('thr value').fill('0.5');
    expect(await job.getByText('not in the script').count()).toBe(0);
    // A free name takes any type; $o1's letter fixes its type.
    expect(await job.getByLabel('thr type').isEnabled()).toBe(true);
    expect(await job.getByLabel('o1 type').isEnabled()).toBe(false);
    await page.getByLabel('Run queue').selectOption('cpu');
    await page.getByRole('combobox', { name: 'Default queue' }).selectOption('cpu');
    await screenshot(page, '14-composer-extras');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      name: string;
      queue?: string;
      jobs: Array<{ args: Array<{ name: string; value?: unknown; choices?: string[] }> }>;
    };
    expect(exported).toMatchObject({ name: 'extras', queue: 'cpu' });
    expect(exported.jobs[0]?.args).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'l1', value: true }),
        expect.objectContaining({ name: 'opt1', value: 'slow', choices: ['fast', 'slow'] }),
        expect.objectContaining({ name: 'thr', value: 0.5 }),
      ]),
    );
    await page.getByLabel('Import batch file').setInputFiles({
      name: 'imported.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...exported, name: 'imported' })),
    });
    await eventually(() => page.getByLabel('Batch name').inputValue()).toBe('imported');
    await eventually(() =>
      page.getByRole('region', { name: 'Job 1' }).getByLabel('opt1 value').inputValue(),
    ).toBe('slow');
  }, 120_000);
});
