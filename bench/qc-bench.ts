import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNiftiFirstVolume, readImageFile } from '../src/imaging/nifti-volume.js';
import { encodePng } from '../src/qc/encode-png.js';
import { renderThumbnail } from '../src/qc/render-thumbnail.js';
import { thumbnailOptions } from '../src/qc/thumbnail-options.js';
import { defaultPoolSize } from '../src/qc/thumbnail-pool.js';
import { launchChromium } from '../test/web/chromium.js';
import { goTo, logIn } from '../test/web/ui-steps.js';
import { cohort, startWebServer } from '../test/web/web-server.js';
import { machineLine, median, ms, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';

/** 280 demo subjects have 1-3 visits each: over 500 studies, of which the first 500 are tagged and drawn. */
const SUBJECTS = 280;
const STUDIES = 500;
const TAG = 'qc_bench';
const RUNS = 3;
const COLIN = fileURLToPath(new URL('../test-data/templates/ch2.nii.gz', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const T1 = ['t1*/*.nii*', 'T1*/*.nii*', '*T1*/*.nii*'];

/**
 * The peer: what a lab's QC script does with nibabel (load, reorient to RAS, middle axial slice, window
 * 0..99th percentile, 8-bit PNG through zlib, as no image library ships with Debian's python3-nibabel).
 */
const NIBABEL_PEER = `
import json, struct, sys, zlib, numpy as np, nibabel as nib
def png(path, grey):
    h, w = grey.shape
    raw = b"".join(b"\\x00" + grey[r].tobytes() for r in range(h))
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    open(path, "wb").write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
paths, out = json.load(open(sys.argv[1])), sys.argv[2]
for i, p in enumerate(paths):
    img = nib.as_closest_canonical(nib.load(p))
    data = np.asanyarray(img.dataobj, dtype=np.float64)
    if data.ndim > 3: data = data[..., 0]
    s = np.flipud(data[:, :, data.shape[2] // 2].T)
    nz = s[s != 0]
    hi = np.percentile(nz, 99) if nz.size else 1.0
    png(f"{out}/{i}.png", (np.clip(s / hi, 0, 1) * 255 + 0.5).astype(np.uint8))
`;

/** Thumbnails per second of the renderer alone on a real 1 mm T1 (Colin27, 181 x 217 x 181, gzip). */
function colinRate(): { readMs: number; drawMs: number } {
  const reads: number[] = [];
  const draws: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    const volume = decodeNiftiFirstVolume(readImageFile(COLIN), COLIN); // as the thumbnail threads read it
    reads.push(performance.now() - t);
    t = performance.now();
    const drawn = renderThumbnail(volume, thumbnailOptions({ slices: 3 }));
    encodePng(drawn.width, drawn.height, drawn.channels, drawn.pixels);
    draws.push(performance.now() - t);
  }
  return { readMs: median(reads), drawMs: median(draws) };
}

/** What the bench reads of an image element (the bench is compiled without the DOM library). */
interface Img {
  readonly complete: boolean;
  readonly naturalWidth: number;
}

/** Time from "Show" until every card's thumbnail is decoded, in a window tall enough to show all. */
async function timeToScreen(url: string, studies: number): Promise<number> {
  const chrome = await launchChromium();
  try {
    const page = chrome.page;
    await page.setViewportSize({ width: 1400, height: 16_000 });
    await page.goto(`${url}/`);
    await logIn(page);
    await goTo(page, 'QC mosaic');
    await page.getByPlaceholder('STAG:baseline', { exact: true }).fill(`STAG:${TAG}`);
    const start = Date.now();
    await page.getByRole('button', { name: 'Show' }).click();
    // A function, not source text: the page's CSP forbids the eval a string predicate needs.
    await page.waitForFunction(
      (n: number) => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Img> } })
          .document;
        const images = Array.from(doc.querySelectorAll('.qc-card img'));
        return images.length === n && images.every((i) => i.complete && i.naturalWidth > 0);
      },
      studies,
      { timeout: 300_000, polling: 50 },
    );
    return Date.now() - start;
  } finally {
    await chrome.close();
  }
}

export async function runQcBench(): Promise<void> {
  const web = await startWebServer({ demoSubjects: SUBJECTS });
  const scratch = mkdtempSync(join(tmpdir(), 'cohort-qc-bench-'));
  try {
    const all = JSON.parse(
      await cohort(web.config, ['select', '--json', '*', ...T1.map((p) => `file:${p}`)]),
    ) as Array<{ ref: string; files: Array<{ absolutePath: string }> }>;
    if (all.length < STUDIES) throw new Error(`the demo has ${all.length} studies, fewer than ${STUDIES}`);
    const selected = all.slice(0, STUDIES);
    // The CLI takes at most 200 selector terms at a time.
    for (let i = 0; i < selected.length; i += 200)
      await cohort(web.config, [
        'tag',
        'add',
        TAG,
        '--on',
        'studies',
        ...selected.slice(i, i + 200).map((s) => s.ref),
      ]);
    const paths = selected.map((s) => s.files[0]?.absolutePath ?? '');
    const studies = paths.length;
    const cache = join(web.home, 'cache', 'thumbnails');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', COHORT_HOME: web.home, HOME: web.home };
    writeFileSync(join(scratch, 'paths.json'), JSON.stringify(paths));

    const screen = { cold: [] as number[], cached: [] as number[] };
    const cli = { cold: [] as number[], cached: [] as number[], nibabel: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      rmSync(cache, { recursive: true, force: true });
      screen.cold.push(await timeToScreen(web.url, studies));
      screen.cached.push(await timeToScreen(web.url, studies));
      // Whole processes, alternated: the CLI cold and cached, then the nibabel script.
      rmSync(cache, { recursive: true, force: true });
      const mosaic = ['qc', 'mosaic', `stag:${TAG}`, ...T1, '--png-dir', join(scratch, `png-${run}`)];
      cli.cold.push(timeCommand(process.execPath, [CLI, ...mosaic], env).ms);
      cli.cached.push(timeCommand(process.execPath, [CLI, ...mosaic], env).ms);
      const out = join(scratch, `nib-${run}`);
      timeCommand('mkdir', [out]);
      cli.nibabel.push(
        timeCommand('/usr/bin/python3', ['-c', NIBABEL_PEER, join(scratch, 'paths.json'), out]).ms,
      );
    }
    const colin = colinRate();
    const perSecond = (total: number): string => (studies / (total / 1000)).toFixed(0);
    const lines = [
      '## QC mosaic (`bench/qc-bench.ts`)',
      '',
      `Machine: ${machineLine()}; load average at the end ${loadavg()[0]?.toFixed(1)}. The demo project with ${SUBJECTS} subjects, its first ${studies} studies (tagged ${TAG}), one T1 each (small synthetic volumes, int16 or float32, .nii and .nii.gz). Medians of ${RUNS} alternated runs.`,
      '',
      '| What | Median | Thumbnails per second |',
      '| --- | --- | --- |',
      `| Browser: "Show" until all ${studies} thumbnails are decoded, cold server cache | ${ms(median(screen.cold))} | ${perSecond(median(screen.cold))} |`,
      `| Browser: the same, thumbnails cached on the server | ${ms(median(screen.cached))} | ${perSecond(median(screen.cached))} |`,
      `| \`cohort qc mosaic stag:${TAG} T1... --png-dir\` (whole process, ${defaultPoolSize()} drawing threads), cold cache | ${ms(median(cli.cold))} | ${perSecond(median(cli.cold))} |`,
      `| The same, cached | ${ms(median(cli.cached))} | ${perSecond(median(cli.cached))} |`,
      `| Peer: a nibabel script (load, RAS, middle slice, zlib PNG; whole process) | ${ms(median(cli.nibabel))} | ${perSecond(median(cli.nibabel))} |`,
      `| One real 1 mm T1 (Colin27, 181 x 217 x 181, .nii.gz): read | ${ms(colin.readMs)} | |`,
      `| The same: draw a 3-slice mosaic and encode the PNG | ${ms(colin.drawMs)} | ${(1000 / (colin.readMs + colin.drawMs)).toFixed(1)} (read + draw) |`,
      '',
      `The browser window is 16,000 pixels tall so that every card is on screen (the page loads thumbnails lazily as they scroll near). Cold means the thumbnail folder was removed; the server still remembered the files' content hashes from the run before, which spares reading each file once more to hash it. Thumbnails are drawn in a pool of worker threads (one per core, at most 8: ${defaultPoolSize()} here), in the server as in the CLI, so the server answers other requests meanwhile. A cold thumbnail reads its file once (the content hash and the drawing share the bytes), decodes only the first volume and keeps the voxels in their stored type (no float64 copy), and finds the window's percentiles by selection instead of a sort. The nibabel script does less: it writes no cache and hashes nothing. In the browser the time goes into the ${studies} HTTP requests (six at a time over HTTP/1.1, each authenticated) and Chromium decoding and laying out the cards more than into drawing.`,
    ];
    writeSection('qc', lines.join('\n'));
    console.log(lines.join('\n'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await web.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runQcBench();
