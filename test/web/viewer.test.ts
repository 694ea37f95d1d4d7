import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerHash } from '../../web/src/viewer/viewer-url.js';
import { decodePng, type Rgba } from '../helpers/decode-screenshot.js';
import { launchChromium, type Chromium } from './chromium.js';
import { logIn, screenshot } from './ui-steps.js';
import { readTracts } from '../../src/tracts/index.js';
import { bundlePoint, FILES, PHANTOM, writeViewerTree } from './viewer-fixture.js';
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
  /** Scripts the page fetched: the viewer's chunk (niivue) must wait until the viewer opens. */
  const scripts: string[] = [];
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
    const page = chrome.page;
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    page.setDefaultTimeout(60_000);
    // A smaller canvas: software WebGL draws every pixel on the CPU, which two busy cores share.
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.goto(`${web.url}/`);
    await logIn(page);
    await page.getByRole('navigation').waitFor();
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => /viewer-page/.test(s))).toEqual([]);
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
      await page.goto(`${web.url}/`);
      await page.getByRole('tab', { name: 'Files' }).click();
      await page.getByLabel('File pattern').fill('anat/t1*');
      // The table refilters on the server: wait until its rows are the pattern's, not the ones before.
      const link = page.getByRole('link', { name: 'view', exact: true }).first();
      await expect
        .poll(() => link.getAttribute('href'), { timeout: 20_000, interval: 100 })
        .toBe(viewerHash('viewer', [FILES.t1]));
      await link.click();
      const canvas = page.getByLabel('Viewer canvas');
      await canvas.waitFor();
      expect(scripts.filter((s) => /viewer-page/.test(s))).toHaveLength(1);
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

  it(
    "draws tracts in the volume's space: the streamlines cross on screen at their known voxel",
    { timeout: 300_000 },
    async () => {
      const page = chrome.page;
      await page.goto(`${web.url}/${viewerHash('viewer', [FILES.phantom, FILES.cross])}`);
      const canvas = page.getByLabel('Viewer canvas');
      await page.getByRole('button', { name: 'Axial', exact: true }).click();
      await eventually(() => canvas.getAttribute('data-volumes')).toBe('1');
      await eventually(() => page.getByTestId('tract-count').textContent()).toBe('2 of 2 streamlines shown');
      // Coloured by direction: the streamline along x is red, the one along y green (the crosshair is cyan).
      let red = -1;
      let green = -1;
      await eventually(async () => {
        const image = await canvasPixels(page);
        red = peak(image, 'row', (r, g, b) => r > 150 && g < 90 && b < 90);
        green = peak(image, 'column', (r, g, b) => g > 150 && r < 90 && b < 90);
        return red >= 0 && green >= 0;
      }).toBe(true);
      await screenshot(page, '43-viewer-tract-alignment');
      await canvas.click({ position: { x: green + 0.5, y: red + 0.5 } });
      const [i, j, k] = PHANTOM.crossing;
      await eventually(() => page.getByTestId('crosshair-voxel').textContent()).toBe(
        `grid.nii.gz: voxel ${i}, ${j}, ${k} = ${50 + i}`,
      );
    },
  );

  it(
    'selects streamlines with a sphere: the count equals cohort tracts select with that sphere',
    { timeout: 300_000 },
    async () => {
      const page = chrome.page;
      await page.goto(`${web.url}/${viewerHash('viewer', [FILES.t1, FILES.bundle])}`);
      const canvas = page.getByLabel('Viewer canvas');
      await page.getByRole('button', { name: 'Axial', exact: true }).click();
      const bundle = readTracts(join(root, FILES.bundle));
      await eventually(() => page.getByTestId('tract-count').textContent()).toBe(
        `${bundle.count} of ${bundle.count} streamlines shown`,
      );
      await page.getByRole('button', { name: '+ include sphere' }).click();
      const sphere = page.getByRole('group', { name: 'Sphere 1' });
      // The active sphere follows the crosshair: a click in the image moves it there.
      const box = await canvas.boundingBox();
      if (box === null) throw new Error('no canvas');
      await canvas.click({ position: { x: box.width * 0.4, y: box.height * 0.45 } });
      const mm = (await page.getByTestId('crosshair-mm').textContent()) ?? '';
      await eventually(
        async () =>
          `mm ${[await sphere.getByLabel('x').inputValue(), await sphere.getByLabel('y').inputValue(), await sphere.getByLabel('z').inputValue()].map((v) => Number(v).toFixed(1)).join(', ')}`,
      ).toBe(mm);
      // Then onto the bundle: the middle point of its first streamline, radius 3 mm.
      await page.getByLabel('active sphere follows the crosshair').uncheck();
      const p = bundle.positions;
      const mid = Math.floor(((bundle.offsets[0] ?? 0) + (bundle.offsets[1] ?? 0)) / 2);
      const centre = [p[3 * mid], p[3 * mid + 1], p[3 * mid + 2]].map((v) => Math.round((v ?? 0) * 10) / 10);
      for (const [a, axis] of (['x', 'y', 'z'] as const).entries())
        await sphere.getByLabel(axis).fill(String(centre[a]));
      await sphere.getByLabel('Radius').fill('3');
      const [x, y, z] = centre;
      const cli = JSON.parse(
        await cohort(web.config, [
          'tracts',
          'select',
          join(root, FILES.bundle),
          join(web.home, 'selected.tck'),
          `--include=${x},${y},${z},3`,
          '--json',
        ]),
      ) as { kept: number; input: number };
      expect(cli.kept).toBeGreaterThan(0);
      expect(cli.kept).toBeLessThan(cli.input);
      await eventually(() => page.getByTestId('selected-count').textContent()).toBe(String(cli.kept));
      await screenshot(page, '44-viewer-sphere-selection');
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    },
  );

  it(
    'selects with a mask of the study and ordered waypoints: the count equals cohort tracts select',
    { timeout: 300_000 },
    async () => {
      const page = chrome.page;
      // A fresh page: the test before left a sphere on the same files (the viewer keeps its rules).
      await page.goto('about:blank');
      await page.goto(`${web.url}/${viewerHash('viewer', [FILES.t1, FILES.bundle])}`);
      await page.getByRole('button', { name: 'Axial', exact: true }).click();
      const bundle = readTracts(join(root, FILES.bundle));
      await eventually(() => page.getByTestId('tract-count').textContent()).toBe(
        `${bundle.count} of ${bundle.count} streamlines shown`,
      );
      // The mask is one of the study's images, listed though not loaded in the viewer.
      await page.getByLabel('Add mask').selectOption(FILES.box);
      await eventually(() => page.getByRole('group', { name: 'Mask 1' }).textContent()).toContain(
        'box (mid AF).nii.gz',
      );
      // Waypoints: the first streamline's points at 20% and 80% of its length, 4 mm.
      const a = bundlePoint(root, 0, 0.2);
      const b = bundlePoint(root, 0, 0.8);
      for (const [i, point] of [a, b].entries()) {
        await page.getByRole('button', { name: '+ waypoint at the crosshair' }).click();
        const waypoint = page.getByRole('group', { name: `Waypoint ${i + 1}` });
        for (const [k, axis] of (['x', 'y', 'z', 'r'] as const).entries())
          await waypoint.getByLabel(axis, { exact: true }).fill(String(k < 3 ? point[k] : 4));
      }
      const cli = async (first: readonly number[], second: readonly number[]) =>
        (
          JSON.parse(
            await cohort(web.config, [
              'tracts',
              'select',
              join(root, FILES.bundle),
              join(web.home, 'selected.tck'),
              '--include',
              join(root, FILES.box),
              `--ordered=${first.join(',')},4`,
              `--ordered=${second.join(',')},4`,
              '--json',
            ]),
          ) as { kept: number; input: number }
        ).kept;
      const forward = await cli(a, b);
      expect(forward).toBeGreaterThan(0);
      expect(forward).toBeLessThan(bundle.count);
      await eventually(() => page.getByTestId('selected-count').textContent()).toBe(String(forward));
      await screenshot(page, '45-viewer-mask-waypoints');
      // The order counts: the second waypoint moved first selects what the CLI gives for that order.
      await page.getByRole('group', { name: 'Waypoint 2' }).getByRole('button', { name: 'Earlier' }).click();
      const backward = await cli(b, a);
      expect(backward).not.toBe(forward);
      await eventually(() => page.getByTestId('selected-count').textContent()).toBe(String(backward));
      // Excluding the mask instead: what the CLI's --exclude keeps.
      await page.getByRole('group', { name: 'Mask 1' }).getByLabel('Kind').selectOption('exclude');
      const excluded = JSON.parse(
        await cohort(web.config, [
          'tracts',
          'select',
          join(root, FILES.bundle),
          join(web.home, 'selected.tck'),
          '--exclude',
          join(root, FILES.box),
          `--ordered=${b.join(',')},4`,
          `--ordered=${a.join(',')},4`,
          '--json',
        ]),
      ) as { kept: number };
      await eventually(() => page.getByTestId('selected-count').textContent()).toBe(String(excluded.kept));
      expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    },
  );
});

/** The row (or column) with the most pixels passing `test`, or -1 when none does. */
function peak(
  image: Rgba,
  along: 'row' | 'column',
  test: (r: number, g: number, b: number) => boolean,
): number {
  const counts = new Array<number>(along === 'row' ? image.height : image.width).fill(0);
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const o = 4 * (y * image.width + x);
      if (test(image.data[o] ?? 0, image.data[o + 1] ?? 0, image.data[o + 2] ?? 0))
        counts[along === 'row' ? y : x] = (counts[along === 'row' ? y : x] ?? 0) + 1;
    }
  const best = Math.max(...counts);
  return best < 10 ? -1 : counts.indexOf(best);
}
