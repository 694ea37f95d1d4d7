import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIDS_TREE } from '../src/catalog/layout/bids-fixture.js';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

function setup(): { env: Record<string, string>; dir: string; root: string } {
  const dir = tempDir();
  const root = join(dir, 'ds');
  writeTree(root, BIDS_TREE);
  const env = { COHORT_HOME: join(dir, 'home') };
  const create = runCohort(['create', 'ds', root], env);
  expect(create.code, create.stderr).toBe(0);
  return { env, dir, root };
}

function write(dir: string, name: string, value: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('BIDS derivatives through the CLI', () => {
  it('writes a job output into derivatives/<pipeline>/sub-*/ses-*/, registers it, and a later job reads it back', () => {
    const { env, dir, root } = setup();
    const mask = write(dir, 'mask.json', {
      name: 'masks',
      level: 'study',
      jobs: [
        {
          name: 'Brain mask',
          language: 'bash',
          script: 'echo "mask of $(basename "$f1")" > "$o1"',
          args: [
            { type: 'FILE', name: 'f1', patterns: ['anat/*_T1w.nii.gz'], ref: { kind: 'current' } },
            {
              type: 'OUT',
              name: 'o1',
              path: 'anat/brain_mask.txt',
              ref: { kind: 'current' },
              tags: ['brainmask'],
            },
          ],
        },
      ],
    });
    const run = runCohort(['run', mask, '01#test', '02#*', '--json'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(runReport<{ done: number }>(run.stdout).done).toBe(2);
    const written = join(root, 'derivatives/cohort/sub-01/ses-test/anat/brain_mask.txt');
    expect(readFileSync(written, 'utf8')).toBe('mask of sub-01_ses-test_T1w.nii.gz\n');
    expect(existsSync(join(root, 'derivatives/cohort/sub-02/anat/brain_mask.txt'))).toBe(true);
    const description = JSON.parse(
      readFileSync(join(root, 'derivatives/cohort/dataset_description.json'), 'utf8'),
    ) as { DatasetType: string; GeneratedBy: Array<{ Name: string; Description: string; Version: string }> };
    expect(description.DatasetType).toBe('derivative');
    expect(description.GeneratedBy[0]).toMatchObject({
      Name: 'Cohort',
      Description: "batch 'masks', job 'Brain mask'",
    });
    expect(description.GeneratedBy[0]?.Version).toMatch(/^\d+\.\d+\.\d+/);

    // A later batch (another run) reads the derivative by its catalog path, and by its tag.
    const stats = write(dir, 'stats.json', {
      name: 'stats',
      level: 'study',
      jobs: [
        {
          name: 'Read',
          language: 'bash',
          script: 'cat "$f1" > "$o1"',
          args: [
            {
              type: 'FILE',
              name: 'f1',
              patterns: ['derivatives/cohort/anat/brain_mask.txt'],
              ref: { kind: 'current' },
            },
            { type: 'OUT', name: 'o1', path: 'derivatives/stats/anat/copy.txt', ref: { kind: 'current' } },
          ],
        },
      ],
    });
    const second = runCohort(['run', stats, '01#test', '--json'], env);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(readFileSync(join(root, 'derivatives/stats/sub-01/ses-test/anat/copy.txt'), 'utf8')).toBe(
      'mask of sub-01_ses-test_T1w.nii.gz\n',
    );
    expect(existsSync(join(root, 'derivatives/stats/dataset_description.json'))).toBe(true);

    const files = runCohort(['files', '01', '--pattern', 'derivatives/*', '--json'], env);
    expect(files.code, files.stderr).toBe(0);
    const rows = JSON.parse(files.stdout) as Array<{ ref: string; path: string; absolutePath: string }>;
    const paths = rows
      .filter((f) => f.ref === '01#test')
      .map((f) => f.path)
      .sort();
    expect(rows.find((f) => f.path === 'derivatives/cohort/anat/brain_mask.txt')?.absolutePath).toBe(written);
    expect(paths).toEqual([
      'derivatives/cohort/anat/brain_mask.txt',
      'derivatives/fmriprep/anat/sub-01_ses-test_desc-brain_mask.nii.gz',
      'derivatives/stats/anat/copy.txt',
    ]);
    // A rescan finds the same files where the registration put them: nothing added, nothing removed.
    const rescan = runCohort(['rescan', '--json'], env);
    expect(rescan.code, rescan.stderr).toBe(0);
    expect(JSON.parse(rescan.stdout)).toMatchObject({ counts: { filesAdded: 0, filesRemoved: 0 } });
  });
});

describe('cohort create on BIDS trees', () => {
  it('prints the layout it detected, and warns when a BIDS tree lacks dataset_description.json', () => {
    const dir = tempDir();
    const root = join(dir, 'ds');
    const { ['dataset_description.json']: _omitted, ...tree } = BIDS_TREE;
    writeTree(root, tree);
    const env = { COHORT_HOME: join(dir, 'home') };
    const create = runCohort(['create', 'ds', root], env);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toContain('Layout: bids (4 sub-* folder(s)).');
    expect(create.stderr).toMatch(/Warning: no dataset_description\.json.*--layout folders/);
    // derivatives/ and code/ did not become subjects.
    const subjects = runCohort(['subjects', '--json'], env);
    expect((JSON.parse(subjects.stdout) as Array<{ pid: string }>).map((s) => s.pid)).toEqual([
      '01',
      '02',
      '03',
      'emptyroom',
    ]);
    const flat = join(dir, 'flat');
    writeTree(flat, tree);
    const forced = runCohort(['create', 'flat', flat, '--layout', 'folders'], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('Layout: folders (given with --layout).');
  });
});

describe('NORA job scripts', () => {
  it('run unchanged: nora -o, -a --addtag, --addtag -s "$DPXpsid" and -s work inside a job', () => {
    const { env, dir } = setup();
    const batch = write(dir, 'nora.json', {
      name: 'nora',
      level: 'study',
      jobs: [
        {
          name: 'NORA script',
          language: 'bash',
          script: [
            'out=$(nora -o notes/extra.txt)',
            'mkdir -p "$(dirname "$out")" && echo hi > "$out"',
            'nora -a "$out" --addtag noted',
            'nora --addtag checked -s "$DPXpsid" "$f1"',
            'nora -s "$DPXpsid tag:noted" > "$o1"',
          ].join('\n'),
          args: [
            { type: 'FILE', name: 'f1', patterns: ['anat/*_T1w.nii.gz'], ref: { kind: 'current' } },
            { type: 'OUT', name: 'o1', path: 'notes/list.txt', ref: { kind: 'current' } },
          ],
        },
      ],
    });
    const run = runCohort(['run', batch, '01#test', '--json'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const noted = runCohort(['files', 'FTAG:noted', '--json'], env);
    const notedRows = JSON.parse(noted.stdout) as Array<{ path: string; absolutePath: string }>;
    expect(notedRows.map((r) => r.path)).toEqual(['derivatives/cohort/notes/extra.txt']);
    const checked = JSON.parse(runCohort(['files', 'FTAG:checked', '--json'], env).stdout) as Array<{
      path: string;
    }>;
    expect(checked.map((r) => r.path)).toEqual(['anat/sub-01_ses-test_T1w.nii.gz']);
    const listed = readFileSync(notedRows[0]?.absolutePath.replace('extra.txt', 'list.txt') ?? '', 'utf8');
    expect(listed.trim()).toBe(notedRows[0]?.absolutePath);
    // An option with no equivalent fails with the reason and what to use instead.
    const sql = runCohort(['nora', '--sql', 'SELECT 1'], env);
    expect(sql.code).toBe(2);
    expect(sql.stderr).toMatch(
      /nora --sql has no equivalent in Cohort[\s\S]*hint: Instead, Cohort does not expose SQL/,
    );
  });
});
