import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { USER } from './web-server.js';

/** Kept by the test run (git-ignored): one screenshot of each page. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function logIn(
  page: Page,
  name: string = USER.name,
  password: string = USER.password,
): Promise<void> {
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The visible rows of the catalog table (`subjects`, `studies` or `files`). */
export function tableRows(page: Page, level: 'subjects' | 'studies' | 'files' = 'subjects'): Locator {
  return page.getByRole('rowgroup', { name: `${level} rows` }).getByRole('row');
}

/** A click near a row's left edge: its middle may be a tag chip, which keeps clicks to itself. */
export const ROW_EDGE = { x: 30, y: 12 } as const;

export type PageTitle =
  | 'Subjects'
  | 'Batch composer'
  | 'Grid'
  | 'Projects'
  | 'Queues'
  | 'Autoexec'
  | 'QC mosaic'
  | 'Plots'
  | 'Viewer'
  | 'Job library'
  | 'Users & tokens';

export async function goTo(page: Page, title: PageTitle): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: title, exact: true }).click();
}

/** A task row of the grid showing this item and state (the state badge's text). */
export function taskRow(page: Page, item: string, state: string): Locator {
  return page
    .locator('.trow.task')
    .filter({ hasText: item })
    .filter({ has: page.locator('.badge', { hasText: new RegExp(`^${state}$`) }) });
}
