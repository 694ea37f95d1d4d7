import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { CohortError } from '../../errors/cohort-error.js';
import { openCatalog, type Catalog } from '../catalog.js';
import { createProject, type Project } from '../project-store.js';
import { importDicom, IMPORT_TEMP_PREFIX, type ImportedSeries } from './import-dicom.js';

const DICOM = resolve(import.meta.dirname, '../../../test-data/dicom');
const SETUP = 'run scripts/install-test-deps.sh (installs dcm2niix and fetches test-data/)';
// A source folder name that breaks any shell command line built from it.
const NASTY = `in "q" 'x' $(touch pwned) \`touch pwned\` ü 日本`;
const DTI = '12_CBU_DTI_64D_1A';
const QT1 = '7_CV_map_neuro_qT1_FA12nTI128';

interface Fixture {
  readonly base: string;
  readonly root: string;
  readonly catalog: Catalog;
  readonly project: Project;
}

function setup(layout: 'folders' | 'bids' = 'folders'): Fixture {
  const base = tempDir('cohort-dicom-');
  const root = join(base, 'project root');
  mkdirSync(root);
  const catalog = openCatalog(resolveConfig({ home: join(base, 'home') }, {}));
  const project = createProject(catalog.db, { name: 'imp', root, layout });
  return { base, root, catalog, project };
}

/** Copies test DICOMs into a fresh source folder with a hostile name. */
function source(fx: Fixture, files: readonly string[], name = NASTY): string {
  const dir = join(fx.base, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(DICOM, f), join(dir, f));
  return dir;
}

function filesInCatalog(fx: Fixture): string[] {
  return fx.catalog.db
    .prepare(
      `SELECT su.pid || '/' || st.sid || '/' || f.path FROM files f JOIN studies st ON st.id = f.study_id
       JOIN subjects su ON su.id = st.subject_id WHERE f.present = 1 ORDER BY 1`,
    )
    .pluck()
    .all() as string[];
}

function filesOnDisk(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return entries.map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

function expectNoLeftovers(fx: Fixture): void {
  expect(readdirSync(fx.root).filter((n) => n.startsWith(IMPORT_TEMP_PREFIX))).toEqual([]);
  // An injected `touch pwned` would run in the current folder of the shell, or in the source folder.
  expect(filesOnDisk(fx.base).filter((p) => p.endsWith('pwned'))).toEqual([]);
  expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
}

/** The expected result for one series, whose files are named `<series><suffix>`. */
function written(subject: string, study: string, series: string, suffixes: string[]): ImportedSeries {
  const files = suffixes.map((s) => `${series}${s}`);
  return { subject, study, series, folder: `${subject}/${study}/${series}`, files, duplicateOf: undefined };
}

/** dim[4] (volumes) of a gzipped NIfTI-1 header. */
function volumes(path: string): number {
  return gunzipSync(readFileSync(path)).readInt16LE(48);
}

async function rejection(promise: Promise<unknown>): Promise<CohortError> {
  const error: unknown = await promise.then(() => undefined).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CohortError);
  return error as CohortError;
}

/** Overwrites every occurrence of `from` with `to`, which must have the same length in UTF-8. */
function patch(bytes: Buffer, from: string, to: string): void {
  const [a, b] = [Buffer.from(from), Buffer.from(to)];
  expect(b.length).toBe(a.length);
  for (let i = bytes.indexOf(a); i >= 0; i = bytes.indexOf(a, i + 1)) b.copy(bytes, i);
}

beforeAll(() => {
  if (!existsSync(join(DICOM, '0.dcm'))) throw new Error(`test-data/dicom/0.dcm is missing: ${SETUP}`);
  const probe = spawnSync('dcm2niix', ['--version']);
  if (probe.error !== undefined) throw new Error(`dcm2niix is missing: ${SETUP}`);
});

describe('importDicom', () => {
  it('converts into <subject>/<study>/<series>/ with sidecars, indexes it, and runs no shell', async () => {
    const fx = setup();
    const src = source(fx, ['0.dcm', 'decimal_rescale.dcm']);
    const result = await importDicom(fx.catalog, fx.project, src);

    expect(result.series).toEqual([
      written('1234', '20100114121314', DTI, ['.bval', '.bvec', '.json', '.nii.gz']),
      written('Anon', '19000101103530', QT1, ['_real.json', '_real.nii.gz']),
    ]);
    expect(result.failed).toEqual([]);
    const files = result.series.flatMap((s) => s.files.map((f) => `${s.folder}/${f}`)).sort();
    expect(filesOnDisk(fx.root)).toEqual(files);
    expect(filesInCatalog(fx)).toEqual(files);
    expect(result.index).toMatchObject({ subjectsAdded: 2, studiesAdded: 2, filesAdded: 6 });
    const sidecar: unknown = JSON.parse(
      readFileSync(join(fx.root, `1234/20100114121314/${DTI}/${DTI}.json`), 'utf8'),
    );
    expect(sidecar).toMatchObject({ PatientID: '1234', SeriesNumber: 12 });
    const descriptions = fx.catalog.db.prepare('SELECT sid, description FROM studies ORDER BY sid').all();
    expect(descriptions).toEqual([
      { sid: '19000101103530', description: 'CV_map_neuro_qT1_FA12nTI128' },
      { sid: '20100114121314', description: 'CBU_DTI_64D_1A' },
    ]);
    expectNoLeftovers(fx);
    fx.catalog.close();
  });

  it('never overwrites on re-import: the copy gets a suffixed series folder and is reported', async () => {
    const fx = setup();
    const src = source(fx, ['0.dcm', '1.dcm']);
    await importDicom(fx.catalog, fx.project, src);
    const original = join(fx.root, `1234/20100114121314/${DTI}/${DTI}.nii.gz`);
    const before = readFileSync(original);

    // 0.dcm and 1.dcm are two volumes (both b=0, so no .bval/.bvec) of one series.
    expect(volumes(original)).toBe(2);
    const again = await importDicom(fx.catalog, fx.project, src);
    expect(again.series).toMatchObject([{ series: `${DTI}_2`, duplicateOf: DTI }]);
    expect(again.warnings.some((w) => w.includes('imported before') && w.includes(`${DTI}_2`))).toBe(true);
    expect(readFileSync(original).equals(before)).toBe(true);
    expect(readdirSync(join(fx.root, '1234/20100114121314')).sort()).toEqual([DTI, `${DTI}_2`]);
    expect(filesInCatalog(fx)).toHaveLength(4);
    expect(again.index).toMatchObject({ filesAdded: 2, filesUnchanged: 2 });
    expectNoLeftovers(fx);
    fx.catalog.close();
  });

  it('refuses DICOMs without PatientID unless a subject is given, and then uses the overrides', async () => {
    const fx = setup();
    const src = source(fx, ['siemens_dwi_0.dcm', 'siemens_dwi_1000.dcm']);
    const error = await rejection(importDicom(fx.catalog, fx.project, src));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: /no PatientID/ });
    expect(error.hint).toContain('--subject');
    expect(readdirSync(fx.root)).toEqual([]);

    const result = await importDicom(fx.catalog, fx.project, src, {
      subject: 'Müller ß/7',
      study: 'baseline',
    });
    expect(result.series).toMatchObject([{ subject: 'Müller_ß_7', study: 'baseline', series: DTI }]);
    expect(volumes(join(fx.root, `Müller_ß_7/baseline/${DTI}/${DTI}.nii.gz`))).toBe(2);
    expect(fx.catalog.db.prepare(`SELECT pid FROM subjects`).pluck().all()).toEqual(['Müller_ß_7']);
    expect(filesInCatalog(fx)).toEqual([
      `Müller_ß_7/baseline/${DTI}/${DTI}.json`,
      `Müller_ß_7/baseline/${DTI}/${DTI}.nii.gz`,
    ]);
    expectNoLeftovers(fx);
    fx.catalog.close();
  });

  it('keeps unicode from UTF-8 DICOMs in subject and series names', async () => {
    const fx = setup();
    const src = join(fx.base, NASTY);
    mkdirSync(src);
    // decimal_rescale.dcm with PatientID "Anon" and the series description rewritten as UTF-8 of equal
    // byte length (dcm2niix reads them as Latin-1; the import repairs that).
    const dicom = readFileSync(join(DICOM, 'decimal_rescale.dcm'));
    const header = dicom.subarray(0, dicom.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])));
    patch(header, 'Anon', 'Jöe');
    patch(header, 'CV_map_neuro_qT1_FA12nTI128', 'CV_mäp/neuro_qT1_FA12nTI12');
    writeFileSync(join(src, 'x.dcm'), dicom);

    const result = await importDicom(fx.catalog, fx.project, src);
    expect(result.series).toMatchObject([{ subject: 'Jöe', series: '7_CV_mäp_neuro_qT1_FA12nTI12' }]);
    expect(fx.catalog.db.prepare(`SELECT pid FROM subjects`).pluck().all()).toEqual(['Jöe']);
    expect(filesInCatalog(fx)).toHaveLength(2);
    expectNoLeftovers(fx);
    fx.catalog.close();
  });

  it('reports a missing dcm2niix as TOOL_MISSING with the install hint', async () => {
    const fx = setup();
    const src = source(fx, ['0.dcm']);
    const error = await rejection(
      importDicom(fx.catalog, fx.project, src, { dcm2niixPath: '/nonexistent/dcm2niix' }),
    );
    expect(error.code).toBe('TOOL_MISSING');
    expect(error.hint).toContain('apt-get install dcm2niix');
    expect(readdirSync(fx.root)).toEqual([]);
    fx.catalog.close();
  });

  it('reports a folder without DICOMs as TOOL_FAILED with dcm2niix’s own words', async () => {
    const fx = setup();
    const src = join(fx.base, NASTY);
    mkdirSync(src);
    writeFileSync(join(src, 'notes.txt'), 'not an image');
    const run = importDicom(fx.catalog, fx.project, src);
    await expect(run).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: /exit code 2[^]*Unable to find any DICOM/,
    });
    expectNoLeftovers(fx);
    expect(readdirSync(fx.root)).toEqual([]);
    fx.catalog.close();
  });

  it('rejects a missing source folder, unusable ids and a BIDS project before running dcm2niix', async () => {
    const fx = setup();
    const missing = importDicom(fx.catalog, fx.project, join(fx.base, 'nope'));
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const badId = importDicom(fx.catalog, fx.project, source(fx, ['0.dcm']), { study: '../' });
    await expect(badId).rejects.toMatchObject({ code: 'INVALID_INPUT', message: /no usable characters/ });
    expect(readdirSync(fx.root)).toEqual([]);
    const bids = setup('bids');
    await expect(importDicom(bids.catalog, bids.project, source(bids, ['0.dcm']))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: /folders layout/,
    });
    fx.catalog.close();
    bids.catalog.close();
  });

  it('kills the converter when aborted and leaves nothing behind', async () => {
    const fx = setup();
    // A real process that would run for a minute: only the signal can end it in time.
    const slow = join(fx.base, 'slow-dcm2niix');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const controller = new AbortController();
    const started = Date.now();
    const run = importDicom(fx.catalog, fx.project, source(fx, ['0.dcm']), {
      dcm2niixPath: slow,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop now')), 200);
    await expect(run).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readdirSync(fx.root)).toEqual([]);
    fx.catalog.close();
  });
});
