import { describe, expect, it } from 'vitest';
import { isCohortError } from '../errors/cohort-error.js';
import { createSelectionFixture } from '../selection/test-fixture.js';
import type { BatchDefinition } from './batch-definition.js';
import { exportBatch, formatBatchExport, importBatch } from './batch-export.js';
import {
  deleteBatch,
  duplicateBatch,
  listBatches,
  loadBatch,
  moveBatch,
  saveBatch,
  setBatchFavourite,
} from './batch-store.js';
import { LONGITUDINAL_BATCH } from './longitudinal-batch.js';

const SIMPLE: BatchDefinition = {
  name: 'Brain mask',
  level: 'study',
  jobs: [
    {
      name: 'bet',
      language: 'bash',
      script: 'bet "$f1" "$o1"',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['t1*/*.nii'], ref: { kind: 'current' } },
        { type: 'OUT', name: 'o1', path: 'masks/brain.nii', ref: { kind: 'current' } },
      ],
    },
  ],
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isCohortError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('batch store', () => {
  it('saves, replaces, lists with folders and favourites, loads and deletes', () => {
    const { db, project } = createSelectionFixture();
    saveBatch(db, project, SIMPLE);
    saveBatch(db, project, LONGITUDINAL_BATCH, { folder: 'longitudinal', favourite: true });
    saveBatch(db, project, { ...SIMPLE, name: 'QC' }, { folder: 'longitudinal/qc' });
    // Saving again replaces the definition and keeps the favourite flag.
    saveBatch(db, project, { ...LONGITUDINAL_BATCH, description: 'v2' }, { folder: 'longitudinal' });

    const all = listBatches(db, project);
    expect(all.map((b) => [b.folder, b.name, b.favourite])).toEqual([
      ['', 'Brain mask', false],
      ['longitudinal', 'Longitudinal T1 and DTI', true],
      ['longitudinal/qc', 'QC', false],
    ]);
    expect(all[1]).toMatchObject({
      level: 'subject',
      description: 'v2',
      jobNames: LONGITUDINAL_BATCH.jobs.map((j) => j.name),
    });
    expect(all[1]?.updatedAt).toBeGreaterThan(0);
    expect(listBatches(db, project, { folder: 'longitudinal' }).map((b) => b.name)).toEqual([
      'Longitudinal T1 and DTI',
      'QC',
    ]);
    expect(listBatches(db, project, { folder: 'longitudinal/qc' }).map((b) => b.name)).toEqual(['QC']);
    expect(listBatches(db, project, { favouritesOnly: true }).map((b) => b.name)).toEqual([
      'Longitudinal T1 and DTI',
    ]);

    expect(loadBatch(db, project, { name: 'Brain mask' })).toEqual(SIMPLE);
    setBatchFavourite(db, project, { name: 'Brain mask' }, true);
    expect(listBatches(db, project, { favouritesOnly: true })).toHaveLength(2);

    deleteBatch(db, project, { name: 'QC', folder: 'longitudinal/qc' });
    expect(listBatches(db, project)).toHaveLength(2);
    expect(codeOf(() => loadBatch(db, project, { name: 'QC', folder: 'longitudinal/qc' }))).toBe('NOT_FOUND');
  });

  it('duplicates and moves, renaming the definition and refusing to overwrite', () => {
    const { db, project } = createSelectionFixture();
    saveBatch(db, project, SIMPLE, { favourite: true });
    const copy = duplicateBatch(
      db,
      project,
      { name: 'Brain mask' },
      { name: 'Brain mask v2', folder: 'drafts' },
    );
    expect(copy).toMatchObject({ folder: 'drafts', name: 'Brain mask v2', favourite: false });
    expect(loadBatch(db, project, { name: 'Brain mask v2', folder: 'drafts' }).name).toBe('Brain mask v2');

    expect(codeOf(() => duplicateBatch(db, project, { name: 'Brain mask' }, copy))).toBe('CONFLICT');
    expect(codeOf(() => moveBatch(db, project, { name: 'Brain mask' }, copy))).toBe('CONFLICT');

    const moved = moveBatch(db, project, { name: 'Brain mask' }, { name: 'BET', folder: 'final' });
    expect(moved).toMatchObject({ folder: 'final', name: 'BET', favourite: true });
    expect(loadBatch(db, project, { name: 'BET', folder: 'final' })).toEqual({ ...SIMPLE, name: 'BET' });
    expect(codeOf(() => loadBatch(db, project, { name: 'Brain mask' }))).toBe('NOT_FOUND');
  });

  it('rejects bad folders and names, and invalid batches', () => {
    const { db, project } = createSelectionFixture();
    expect(codeOf(() => saveBatch(db, project, SIMPLE, { folder: 'a//b' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => saveBatch(db, project, SIMPLE, { folder: '../x' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => saveBatch(db, project, { ...SIMPLE, name: 'a/b' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => saveBatch(db, project, { ...SIMPLE, level: 'subject' }))).toBe('INVALID_INPUT');
    expect(listBatches(db, project)).toEqual([]);
  });
});

describe('batch export and import', () => {
  it('round-trips through the enveloped JSON text', () => {
    const { db, project } = createSelectionFixture();
    saveBatch(db, project, LONGITUDINAL_BATCH, { folder: 'x' });
    const text = exportBatch(db, project, { name: LONGITUDINAL_BATCH.name, folder: 'x' });
    expect(JSON.parse(text)).toMatchObject({ format: 'cohort-batch', version: 1 });
    expect(text).toContain('\n  "batch": {\n');
    expect(importBatch(text)).toEqual(LONGITUDINAL_BATCH);
    // A bare batch object (hand-written) is accepted too.
    expect(importBatch(JSON.stringify(SIMPLE))).toEqual(SIMPLE);
  });

  it.each([
    ['{\n  "format": "cohort-batch",\n  "version": 1,\n}', 'at line 4, column 1'],
    [
      '{"format": "cohort-batch", "version": 1, "batch": {}} trailing',
      'Unexpected non-whitespace character after JSON at line 1, column 55',
    ],
    ['{"format": "cohort-batch"', "Expected ',' or '}' after property value at line 1, column 26"],
    ['{"format": ', 'the text ends too early at line 1, column 12'],
  ])('reports malformed JSON with where it is: %s', (text, where) => {
    let message = '';
    try {
      importBatch(text);
    } catch (error) {
      if (!isCohortError(error)) throw error;
      expect(error.code).toBe('INVALID_INPUT');
      message = error.message;
    }
    expect(message).toMatch(/^The batch file is not valid JSON: /);
    expect(message).toContain(where);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('rejects other formats, newer versions and invalid batches', () => {
    const envelope = JSON.parse(formatBatchExport(SIMPLE)) as Record<string, unknown>;
    expect(codeOf(() => importBatch(JSON.stringify({ ...envelope, format: 'nora' })))).toBe('INVALID_INPUT');
    expect(() => importBatch(JSON.stringify({ ...envelope, version: 2 }))).toThrow(/newer version/);
    expect(() =>
      importBatch(JSON.stringify({ ...envelope, batch: { ...SIMPLE, level: 'subject' } })),
    ).toThrow(/'current study' has no meaning for a subject/);
  });
});
