import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME } from '../src/jobs/test-fixture.js';
import { runCohort } from './helpers/cli-process.js';
import { decodePng } from './helpers/decode-png.js';
import { tempDir } from './helpers/temp-dir.js';

const T1 = ['t1*/*.nii*', 'T1*/*.nii*', '*T1*/*.nii*'];

function pngsIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.png'));
}

// `cohort qc mosaic` as users run it: the built CLI over a demo project, outputs under hostile names.
describe('cohort qc mosaic', () => {
  it('writes a self-contained page and PNGs, caches by content, reports unreadable images per study', () => {
    const home = join(tempDir(), 'home');
    const cohort = (...args: string[]) => runCohort(args, { COHORT_HOME: home });
    expect(cohort('demo', '--subjects', '4').code).toBe(0);
    const studies = (JSON.parse(cohort('studies', '--json').stdout) as unknown[]).length;
    expect(studies).toBeGreaterThan(4);

    const out = join(tempDir(), `qc ${HOSTILE_NAME}`);
    mkdirSync(out);
    const page = join(out, 'mosaic page.html');
    const pngDir = join(out, 'png s');
    const first = cohort('qc', 'mosaic', '*', ...T1, '-o', page, '--png-dir', pngDir, '--slices', '3');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${studies} of ${studies} studies drawn`);
    const html = readFileSync(page, 'utf8');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(studies);
    expect(html).not.toMatch(/<script|https?:/);
    expect(html).toContain("neurological: the patient's left on the left");
    const pngs = pngsIn(pngDir);
    expect(pngs).toHaveLength(studies);
    const one = decodePng(readFileSync(join(pngDir, pngs[0] ?? '')));
    expect(one.channels).toBe(1);
    expect(one.width).toBeGreaterThan(one.height); // three slices side by side
    const cache = join(home, 'cache', 'thumbnails');
    expect(pngsIn(cache)).toHaveLength(studies);

    // Same files and options: nothing new drawn. One image rewritten in place: one new thumbnail.
    expect(cohort('qc', 'mosaic', '*', ...T1, '-o', page, '--slices', '3').code).toBe(0);
    expect(pngsIn(cache)).toHaveLength(studies);
    const files = JSON.parse(
      cohort('select', '--json', 'P001#OLDEST', ...T1.map((p) => `file:${p}`)).stdout,
    ) as Array<{
      files: Array<{ absolutePath: string }>;
    }>;
    const image = files[0]?.files[0]?.absolutePath ?? '';
    writeFileSync(
      image,
      Buffer.from('this is not a NIfTI image, but it is long enough to be read'.repeat(10)),
    );
    const broken = cohort('qc', 'mosaic', '*', ...T1, '-o', page, '--slices', '3');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/P001#\d+: .* is not a readable NIfTI image/);
    expect(broken.stdout).toContain(`${studies - 1} of ${studies} studies drawn`);
    expect(readFileSync(page, 'utf8').match(/<img /g)).toHaveLength(studies - 1);

    // An overlay (here the FLAIR as a "mask") makes colour thumbnails; no output named is an error.
    const withOverlay = cohort(
      'qc',
      'mosaic',
      'P002',
      ...T1,
      '--overlay',
      'flair*/*.nii*',
      '--overlay',
      'FLAIR/*',
      '--png-dir',
      join(out, 'overlay'),
    );
    expect(withOverlay.code, withOverlay.stderr).toBe(0);
    const coloured = pngsIn(join(out, 'overlay'))[0] ?? '';
    expect(decodePng(readFileSync(join(out, 'overlay', coloured))).channels).toBe(3);
    const nowhere = cohort('qc', 'mosaic', '*', ...T1);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toContain('Give -o page.html, --png-dir DIR, or both.');
  });
});
