import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { isCohortError } from '../errors/cohort-error.js';
import { DEMO_MARKER, demoFilePaths, generateDemoProject } from './demo-project.js';
import { DEMO_SCANNERS } from './demo-scanners.js';
import { readNifti1Header } from './read-nifti1-header.js';

/** Every file below `root`, relative, sorted. */
function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(root, join(dir, e.name)) : [relative(root, join(dir, e.name))],
    )
    .sort();
}

function expectInvalidInput(run: () => unknown, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(isCohortError(error) && error.code).toBe('INVALID_INPUT');
    expect((error as Error).message).toMatch(message);
    return;
  }
  expect.fail('expected an INVALID_INPUT error');
}

describe('generateDemoProject', () => {
  it('makes the default 20-subject demo, a few MB, with a summary that matches the disk', () => {
    const root = join(tempDir(), 'demo');
    const summary = generateDemoProject(root, {});

    const files = listFiles(root).filter((f) => f !== DEMO_MARKER);
    expect(summary.subjects).toBe(20);
    expect(summary.files).toBe(files.length);
    expect(summary.bytes).toBe(files.reduce((n, f) => n + statSync(join(root, f)).size, 0));
    expect(summary.bytes).toBeGreaterThan(2_000_000);
    expect(summary.bytes).toBeLessThan(8_000_000);
    expect(files).toEqual(demoFilePaths(summary.plan).sort());
    expect(readdirSync(root).filter((n) => !n.startsWith('.'))).toHaveLength(20);
    expect(summary.studies).toBe(Object.keys(summary.studyTags).length);

    // README examples name these: change them together.
    expect(summary.studies).toBe(40);
    expect(summary.missing.map((m) => `${m.pid}#${m.sid} ${m.folder}`)).toEqual([
      'P009#20221226 DTI_6',
      'P010#20230108 7_DTI_6dir',
      'P014#20200415 FLAIR',
      'P014#20201011 DTI_6',
      'P015#20190714 FLAIR',
      'P019#20210426 rest_bold',
    ]);
    expect(summary.quirks).toEqual({
      spaceInName: ['P005/20200829/t1_mprage_sag/s001 copy.nii'],
      unicode: ['P011/20210406/T2_Müller/t2.nii.gz', 'P011/20210406/T2_Müller/t2.json'],
    });
    expect(summary.plan.subjects[3]?.studies.map((s) => s.sid)).toEqual(['20190127', '20191223', '20200624']);
  });

  it('gives the same bytes for the same seed, and other images for another seed', () => {
    const dir = tempDir();
    const a = generateDemoProject(join(dir, 'a'), { subjects: 6, seed: 7 });
    const b = generateDemoProject(join(dir, 'b'), { subjects: 6, seed: 7 });
    const filesA = listFiles(join(dir, 'a'));
    expect(listFiles(join(dir, 'b'))).toEqual(filesA);
    for (const f of filesA)
      expect(readFileSync(join(dir, 'b', f)).equals(readFileSync(join(dir, 'a', f))), f).toBe(true);
    expect({ ...b, root: a.root }).toEqual(a);

    const c = generateDemoProject(join(dir, 'c'), { subjects: 6, seed: 8 });
    expect(c.studyTags).not.toEqual(a.studyTags); // other visit dates
  });

  it('follows each scanner protocol except for the series the summary lists as missing', () => {
    const root = join(tempDir(), 'demo');
    const summary = generateDemoProject(root, { subjects: 20, seed: 3 });
    const missing = new Set(summary.missing.map((m) => `${m.pid}#${m.sid}#${m.kind}`));
    expect(summary.missing.some((m) => m.kind === 'flair')).toBe(true);
    expect(
      summary.missing.some(
        (m) => m.kind === 'dwi' && summary.studyTags[`${m.pid}#${m.sid}`]?.[0] === 'followup',
      ),
    ).toBe(true);

    for (const subject of summary.plan.subjects) {
      expect(subject.studies.length).toBeGreaterThanOrEqual(1);
      expect(subject.studies.length).toBeLessThanOrEqual(3);
      expect(summary.subjectTags[subject.pid]).toEqual([subject.group]);
      const sids = subject.studies.map((s) => s.sid);
      expect([...sids].sort()).toEqual(sids); // visits in time order, dates as ids
      subject.studies.forEach((study, visit) => {
        expect(study.sid).toMatch(/^20[12]\d[01]\d[0-3]\d$/);
        expect(summary.studyTags[`${subject.pid}#${study.sid}`]).toEqual([
          visit === 0 ? 'baseline' : 'followup',
        ]);
        const scanner = DEMO_SCANNERS[study.scanner];
        for (const [kind, convention] of Object.entries(scanner.protocol)) {
          const image = join(
            root,
            subject.pid,
            study.sid,
            convention.folder,
            `${convention.base}${scanner.extension}`,
          );
          const isMissing = missing.has(`${subject.pid}#${study.sid}#${kind}`);
          expect(existsSync(image), image).toBe(!isMissing);
          if (kind === 't1') expect(isMissing).toBe(false); // every study keeps its T1
        }
      });
    }
  });

  it('writes dcm2niix-like sidecars and gradient tables that fit the images', () => {
    const root = join(tempDir(), 'demo');
    const summary = generateDemoProject(root, { subjects: 8, seed: 5 });
    const dwi = listFiles(root).filter((f) => f.endsWith('.bval'));
    expect(dwi.length).toBeGreaterThan(0);
    for (const bval of dwi) {
      const base = bval.slice(0, -'.bval'.length);
      const image = existsSync(join(root, `${base}.nii`)) ? `${base}.nii` : `${base}.nii.gz`;
      const volumes = readNifti1Header(readFileSync(join(root, image))).dims[3];
      expect(readFileSync(join(root, bval), 'utf8').trim().split('\t')).toHaveLength(volumes ?? 0);
      const rows = readFileSync(join(root, `${base}.bvec`), 'utf8')
        .trim()
        .split('\n');
      expect(rows.map((r) => r.split('\t').length)).toEqual([volumes, volumes, volumes]);
    }
    const [subject] = summary.plan.subjects;
    const [study] = subject?.studies ?? [];
    const [series] = study?.series ?? [];
    const sidecar = series?.files.find((f) => f.endsWith('.json')) ?? '';
    const json = JSON.parse(
      readFileSync(join(root, subject?.pid ?? '', study?.sid ?? '', series?.folder ?? '', sidecar), 'utf8'),
    ) as Record<string, unknown>;
    expect(json).toMatchObject({
      Modality: 'MR',
      ConversionSoftware: 'dcm2niix',
      Manufacturer: DEMO_SCANNERS[study?.scanner ?? 'A'].manufacturer,
    });
    expect(String(json.AcquisitionDateTime).replaceAll('-', '').slice(0, 8)).toBe(study?.sid);
    expect(typeof json.RepetitionTime).toBe('number');
  });

  it('plants one file name with a space and one unicode series name', () => {
    const root = join(tempDir(), 'demo');
    const { quirks } = generateDemoProject(root, { subjects: 4, seed: 11 });
    expect(quirks.spaceInName).toHaveLength(1);
    expect(quirks.spaceInName[0]).toMatch(/ copy\.nii(\.gz)?$/);
    expect(quirks.unicode.some((p) => p.includes('/T2_Müller/'))).toBe(true);
    for (const path of [...quirks.spaceInName, ...quirks.unicode])
      expect(existsSync(join(root, path)), path).toBe(true);
  });

  it('handles tiny demos', () => {
    const dir = tempDir();
    expect(generateDemoProject(join(dir, 'one'), { subjects: 1 }).subjects).toBe(1);
    expect(generateDemoProject(join(dir, 'two'), { subjects: 2 }).plan.subjects).toHaveLength(2);
  });

  it('rejects bad options', () => {
    const root = join(tempDir(), 'demo');
    expectInvalidInput(() => generateDemoProject(root, { subjects: 0 }), /0 subjects/);
    expectInvalidInput(() => generateDemoProject(root, { subjects: 1000 }), /1000 subjects/);
    expectInvalidInput(() => generateDemoProject(root, { subjects: 2.5 }), /2.5 subjects/);
    expectInvalidInput(() => generateDemoProject(root, { seed: -1 }), /seed/);
    expect(existsSync(root)).toBe(false);
  });
});

describe('generateDemoProject into an existing folder', () => {
  it('refuses a non-empty folder that holds no demo, and changes nothing', () => {
    const root = tempDir();
    writeFileSync(join(root, 'precious.txt'), 'data');
    expectInvalidInput(() => generateDemoProject(root, { subjects: 2 }), /not empty/);
    writeFileSync(join(root, DEMO_MARKER), '{ not json');
    expectInvalidInput(() => generateDemoProject(root, { subjects: 2 }), /not empty/);
    expect(readdirSync(root).sort()).toEqual([DEMO_MARKER, 'precious.txt']);
    expectInvalidInput(() => generateDemoProject(join(root, 'precious.txt'), {}), /is a file/);
  });

  it('writes into an empty folder', () => {
    const root = tempDir();
    expect(generateDemoProject(root, { subjects: 2 }).root).toBe(root);
    expect(existsSync(join(root, DEMO_MARKER))).toBe(true);
  });

  it('replaces an earlier demo file by file, keeping what a user added', () => {
    const dir = tempDir();
    const root = join(dir, 'demo');
    const first = generateDemoProject(root, { subjects: 5, seed: 1 });
    const [subject] = first.plan.subjects;
    const added = join(subject?.pid ?? '', subject?.studies[0]?.sid ?? '', 'results', 'volume.txt');
    mkdirSync(join(root, added, '..'), { recursive: true });
    writeFileSync(join(root, added), '1234 ml');

    generateDemoProject(root, { subjects: 3, seed: 2 });
    generateDemoProject(join(dir, 'fresh'), { subjects: 3, seed: 2 });
    expect(listFiles(root)).toEqual([...listFiles(join(dir, 'fresh')), added].sort());
    expect(readFileSync(join(root, added), 'utf8')).toBe('1234 ml');
  });
});
