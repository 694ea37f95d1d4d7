import { describe, expect, it } from 'vitest';
import { createBidsFixture } from '../catalog/layout/bids-fixture.js';
import type { BatchDefinition } from './batch-definition.js';
import type { FileResolution } from './batch-resolution.js';
import { item } from './preview-fixture.js';
import { resolveBatch } from './resolve-batch.js';

const DWI: BatchDefinition = {
  name: 'DTI',
  level: 'study',
  jobs: [
    {
      name: 'fit',
      library: 'test/fit',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['dwi/*_dwi.nii.gz'], ref: { kind: 'current' } },
        {
          type: 'FILE',
          name: 'f2',
          patterns: ['dwi/*_dwi.nii.gz'],
          ref: { kind: 'current' },
          sidecar: '.bval',
        },
        {
          type: 'FILE',
          name: 'f3',
          patterns: ['dwi/*_dwi.nii.gz'],
          ref: { kind: 'current' },
          sidecar: '.bvec',
        },
      ],
    },
  ],
};

function fileArg(resolution: ReturnType<typeof resolveBatch>, key: string, name: string): FileResolution {
  const arg = item(resolution.items, key).jobs[0]?.args.find((a) => a.name === name);
  if (arg?.type !== 'FILE' || !arg.ok) throw new Error(`${key} ${name} not resolved: ${JSON.stringify(arg)}`);
  return arg;
}

describe('FILE sidecars by the BIDS inheritance principle', () => {
  it('finds dataset-level gradients, a subject-level override and one beside the file, naming the level', async () => {
    const { catalog, project, root } = await createBidsFixture();
    const resolution = resolveBatch(catalog.db, project, DWI, { selector: ['01#*', '02#*'] });
    // ses-test: nothing below the dataset root, so the top-level dwi.bval and dwi.bvec apply.
    expect(fileArg(resolution, '01#test', 'f2')).toMatchObject({
      paths: [`${root}/dwi.bval`],
      origins: ['dataset level'],
    });
    expect(fileArg(resolution, '01#test', 'f3').paths).toEqual([`${root}/dwi.bvec`]);
    // ses-retest has its own bval beside the file: the nearest wins.
    expect(fileArg(resolution, '01#retest', 'f2')).toMatchObject({
      paths: [`${root}/sub-01/ses-retest/dwi/sub-01_ses-retest_dwi.bval`],
      origins: ['beside the file'],
    });
    // sub-02 (no sessions) overrides the bvec at subject level but inherits the bval.
    expect(fileArg(resolution, '02#nosession', 'f3')).toMatchObject({
      paths: [`${root}/sub-02/sub-02_dwi.bvec`],
      origins: ['subject level'],
    });
    expect(fileArg(resolution, '02#nosession', 'f2').paths).toEqual([`${root}/dwi.bval`]);
    catalog.close();
  });

  it('gives the whole JSON chain top-down with multiple, and only applicable sidecars', async () => {
    const { catalog, project, root } = await createBidsFixture({
      // Another task's sidecar must not apply to the resting-state run.
      'task-motor_bold.json': '{"RepetitionTime":3}',
    });
    const batch: BatchDefinition = {
      name: 'bold',
      level: 'study',
      jobs: [
        {
          name: 'meta',
          library: 'test/meta',
          args: [
            {
              type: 'FILE',
              name: 'f1',
              patterns: ['func/*_bold.nii.gz'],
              ref: { kind: 'current' },
              sidecar: '.json',
              multiple: true,
            },
          ],
        },
      ],
    };
    const resolution = resolveBatch(catalog.db, project, batch, { selector: '01#test' });
    expect(fileArg(resolution, '01#test', 'f1')).toMatchObject({
      paths: [
        `${root}/task-rest_bold.json`,
        `${root}/sub-01/ses-test/func/sub-01_ses-test_task-rest_bold.json`,
      ],
      origins: ['dataset level', 'beside the file'],
    });
    catalog.close();
  });

  it('reports an item with no sidecar anywhere as missing, with the reason', async () => {
    const { catalog, project } = await createBidsFixture();
    const batch: BatchDefinition = {
      name: 'x',
      level: 'study',
      jobs: [
        {
          name: 'j',
          library: 'test/j',
          args: [
            {
              type: 'FILE',
              name: 'f1',
              patterns: ['anat/*_T1w.nii.gz'],
              ref: { kind: 'current' },
              sidecar: '.json',
            },
          ],
        },
      ],
    };
    const resolution = resolveBatch(catalog.db, project, batch, { selector: '02#*' });
    const only = item(resolution.items, '02#nosession');
    expect(only.runnable).toBe(false);
    expect(only.problems[0]).toMatch(/sub-02_T1w\.nii\.gz in 02#nosession has no \.json sidecar/);
    catalog.close();
  });

  it('finds the sidecars of derivatives inside their pipeline folder', async () => {
    const { catalog, project, root } = await createBidsFixture();
    const batch: BatchDefinition = {
      name: 'x',
      level: 'study',
      jobs: [
        {
          name: 'j',
          library: 'test/j',
          args: [
            {
              type: 'FILE',
              name: 'f1',
              patterns: ['derivatives/fmriprep/anat/*_mask.nii.gz'],
              ref: { kind: 'current' },
              sidecar: '.json',
            },
          ],
        },
      ],
    };
    const resolution = resolveBatch(catalog.db, project, batch, { selector: '02#*' });
    expect(fileArg(resolution, '02#nosession', 'f1').paths).toEqual([
      `${root}/derivatives/fmriprep/sub-02/anat/sub-02_desc-brain_mask.json`,
    ]);
    catalog.close();
  });
});
