import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { goTo, logIn, screenshot } from './ui-steps.js';
import { cohort, startWebServer, type WebServer } from './web-server.js';

/** What the test reads of DOM elements (the test itself is compiled without the DOM library). */
interface Img {
  readonly complete: boolean;
  readonly naturalWidth: number;
}
interface Box {
  readonly offsetTop: number;
}

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

/**
 * Issue 19's QC workflow in real Chromium against a real server: the mosaic of the demo's 40 studies
 * (20 subjects), three marked bad with the keyboard (one more marked and cleared again, one marked
 * good), then the CLI's `cohort studies STAG:qc_bad` lists exactly those three.
 */
describe('QC mosaic in the browser', () => {
  let web: WebServer;
  let chrome: Chromium;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebServer({ demoSubjects: 20 });
    chrome = await launchChromium(errors);
  });
  afterAll(async () => {
    await chrome?.close();
    await web?.close();
  });

  it('shows 40 thumbnails, tags three bad by keyboard, and the catalog selects exactly those', async () => {
    const page = chrome.page;
    page.setDefaultTimeout(30_000);
    await page.goto(`${web.url}/`);
    await logIn(page);
    await goTo(page, 'QC mosaic');
    await page.getByRole('button', { name: 'Show' }).click();

    const cards = page.getByRole('gridcell');
    await eventually(() => cards.count()).toBe(40);
    expect(await page.getByText('no matching image').count()).toBe(0);
    // Every thumbnail decoded by the browser (a broken PNG has naturalWidth 0).
    await eventually(() =>
      page
        .locator('.qc-card img')
        .evaluateAll(
          (imgs) =>
            imgs.filter((i) => (i as unknown as Img).complete && (i as unknown as Img).naturalWidth > 0)
              .length,
        ),
    ).toBe(40);

    // The first card has the focus: 2 (qc_bad) tags it and moves on.
    await eventually(() => page.evaluate('document.activeElement?.getAttribute("data-ref") ?? null')).toBe(
      await cards.nth(0).getAttribute('data-ref'),
    );
    const refAt = async (i: number): Promise<string> => (await cards.nth(i).getAttribute('data-ref')) ?? '';
    const keyboard = page.keyboard;
    await keyboard.press('2'); // card 0 bad, focus on 1
    await keyboard.press('1'); // card 1 good, focus on 2
    await keyboard.press('ArrowRight'); // 3
    await keyboard.press('2'); // card 3 bad, focus on 4
    await keyboard.press('2'); // card 4 bad ...
    await keyboard.press('ArrowLeft'); // ... back on 4
    await keyboard.press('0'); // ... and cleared
    await keyboard.press('ArrowDown'); // one row down from 4
    const columns = await cards.evaluateAll(
      (all) =>
        all.filter((c) => (c as unknown as Box).offsetTop === (all[0] as unknown as Box).offsetTop).length,
    );
    const last = 4 + columns;
    await keyboard.press('2');
    const bad = [await refAt(0), await refAt(3), await refAt(last)];
    await eventually(() => page.locator('.qc-card.qc-verdict-1').count()).toBe(3);
    await eventually(() => cards.nth(1).getAttribute('aria-label')).toBe(`${await refAt(1)} qc_ok`);
    expect(await cards.nth(4).getAttribute('aria-label')).toBe(await refAt(4));
    await screenshot(page, 'qc-mosaic');

    const listed = await cohort(web.config, ['studies', 'STAG:qc_bad', '--json']);
    const refs = (JSON.parse(listed) as Array<{ ref: string }>).map((s) => s.ref);
    expect(refs.sort()).toEqual([...bad].sort());
    const ok = JSON.parse(await cohort(web.config, ['studies', 'STAG:qc_ok', '--json'])) as Array<{
      ref: string;
    }>;
    expect(ok.map((s) => s.ref)).toEqual([await refAt(1)]);
    // Enter opens the focused study's image in the viewer (its own address form: project and file).
    await keyboard.press('Enter');
    await eventually(() => page.url()).toMatch(/#\/viewer\?project=\w+&file=[^&]+\.nii/);
    await page.getByRole('region', { name: 'Viewer' }).waitFor();
    // The one 401 is the session check before logging in.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
  });
});
