import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeTracts } from '../src/tracts/index.js';
import { launchChromium } from '../test/web/chromium.js';
import { logIn } from '../test/web/ui-steps.js';
import { cohort, startWebServer } from '../test/web/web-server.js';
import { writeNifti } from '../test/helpers/write-nifti.js';
import { viewerHash } from '../web/src/viewer/viewer-url.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const RUNS = 3;
const SELECT_RUNS = 7;
const STREAMLINES = 100_000;
const POINTS = 60;
const VOLUME = 'S01/20240101/big/float256.nii';
const TRACTS = 'S01/20240101/big/wb100k.tck';

/** 100,000 curved streamlines of 60 points (6M vertices) through a 200 mm box, deterministic. */
function syntheticTracts(path: string): void {
  const positions = new Float32Array(STREAMLINES * POINTS * 3);
  const offsets = new Float64Array(STREAMLINES + 1);
  let seed = 1;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let s = 0; s < STREAMLINES; s++) {
    offsets[s + 1] = (s + 1) * POINTS;
    const [x, y, z, dx, dy, dz] = [rand() * 60, rand() * 80, rand() * 50, rand(), rand(), rand()];
    for (let k = 0; k < POINTS; k++) {
      const t = (k - POINTS / 2) * 1.5;
      positions.set([x + dx * t, y + dy * t + Math.sin(k / 9) * 4, z + dz * t], (s * POINTS + k) * 3);
    }
  }
  writeTracts(path, {
    positions,
    offsets,
    count: STREAMLINES,
    dpp: {},
    dps: {},
    space: undefined,
    properties: {},
  });
}

/**
 * The viewer's figures in Debian's Chromium with software WebGL (SwiftShader): time to first frame of a
 * 256^3 float32 volume and of 100,000 streamlines (request to drawn), and the selection round trip (one
 * sphere over 100,000 streamlines: request, selection, statistics and the selected mesh back).
 */
export async function runViewerBench(): Promise<void> {
  let root = '';
  const web = await startWebServer({
    demoSubjects: 0,
    prepare: async (config) => {
      root = join(config.home, 'bench');
      mkdirSync(join(root, VOLUME, '..'), { recursive: true });
      const n = 256;
      const data = new Float32Array(n * n * n);
      for (let v = 0; v < data.length; v++) data[v] = (v % 997) / 997;
      writeNifti(join(root, VOLUME), {
        dims: [n, n, n],
        affine: [1, 0, 0, -128, 0, 1, 0, -128, 0, 0, 1, -128, 0, 0, 0, 1],
        data,
      });
      syntheticTracts(join(root, TRACTS));
      await cohort(config, ['create', 'bench', root]);
    },
  });
  const chrome = await launchChromium([], { webgl: true });
  try {
    const page = chrome.page;
    page.setDefaultTimeout(300_000);
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.goto(`${web.url}/`);
    await logIn(page);
    await page.getByRole('navigation').waitFor();
    const canvas = page.getByLabel('Viewer canvas');
    const tractMs: number[] = [];
    // The volume, alternated: the full image at once (the previous way) and the downsampled preview
    // first. Whole page: from navigation (the app, the lazily loaded viewer, the data) to first frame.
    const volume = { full: [] as number[], preview: [] as number[], refined: [] as number[] };
    const download: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const preview of [false, true]) {
        await page.evaluate(
          (on) =>
            (
              globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
            ).localStorage.setItem('cohort.viewer.preview', on ? '1' : '0'),
          preview,
        );
        await page.goto('about:blank');
        await page.goto(`${web.url}/${viewerHash('bench', [VOLUME])}`);
        await canvas.and(page.locator('[data-full-page-ms]')).waitFor();
        const first = Number(await canvas.getAttribute('data-first-frame-page-ms'));
        (preview ? volume.preview : volume.full).push(first);
        if (preview) volume.refined.push(Number(await canvas.getAttribute('data-full-page-ms')));
      }
      // The download alone, as the browser gets it.
      download.push(
        await page.evaluate(async (path) => {
          const started = performance.now();
          const res = await fetch(
            `/api/projects/bench/file/content?${new URLSearchParams({ path }).toString()}`,
            {
              credentials: 'same-origin',
            },
          );
          await res.arrayBuffer();
          return performance.now() - started;
        }, VOLUME),
      );
      await page.goto('about:blank');
      await page.goto(`${web.url}/${viewerHash('bench', [TRACTS])}`);
      await canvas.and(page.locator('[data-tracts-ms]')).waitFor();
      tractMs.push(Number(await canvas.getAttribute('data-tracts-ms')));
    }
    // The round trip as the browser makes it (fetch, selection on the server, mesh back, decoded).
    const selectMs: number[] = [];
    const serverMs: number[] = [];
    for (let run = 0; run < SELECT_RUNS; run++) {
      const [total, server] = await page.evaluate(
        async ({ path, r }) => {
          const started = performance.now();
          const res = await fetch('/api/projects/bench/viewer/tracts/select', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ path, rules: [{ kind: 'include', sphere: [r, -r, r / 2, 10] }] }),
          });
          const buffer = await res.arrayBuffer();
          const length = new DataView(buffer).getUint32(0, true);
          const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length))) as {
            selection: { ms: number };
          };
          return [performance.now() - started, header.selection.ms];
        },
        { path: TRACTS, r: run * 3 },
      );
      selectMs.push(total);
      serverMs.push(server);
    }
    writeSection(
      'viewer',
      `## Viewer (niivue 0.69.0 in Chromium, software WebGL)

${machineLine()}; load average at the end ${loadavg()[0]?.toFixed(1)}. Debian Chromium headless with SwiftShader (no GPU), a 1100x720
window; medians of ${RUNS} runs (selection: ${SELECT_RUNS}), the two ways of opening the volume alternated. Script:
\`bench/viewer-bench.ts\`. No peer viewer is measured here.

| Figure | Median |
| --- | --- |
| 256^3 float32 volume (64 MiB .nii), whole page (navigation to first frame): full image at once (the previous way) | ${ms(median(volume.full))} |
| The same with the quick preview (128^3 from the server first) | ${ms(median(volume.preview))} |
| ... until the full image has replaced the preview | ${ms(median(volume.refined))} |
| Download of the 64 MiB alone (fetch to last byte, in the page) | ${ms(median(download))} |
| 100,000 streamlines (6M vertices, .tck): request to first frame | ${ms(median(tractMs))} |
| Sphere selection over 100,000 streamlines: browser round trip (with the selected mesh) | ${ms(median(selectMs))} |
| of which selection and statistics on the server | ${ms(median(serverMs))} |
`,
    );
    console.log({ volume, download, tractMs, selectMs, serverMs });
  } finally {
    await chrome.close();
    await web.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runViewerBench();
