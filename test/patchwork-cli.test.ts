import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLabelledHeads } from '../src/demo/labelled-heads.js';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// The examples/patchwork-*.json batches run by the built CLI on the local executor: training is a
// group-level job over the studies selected (those tagged train; one lacks its labels and is left out
// by the preview), given the lists of their T1 and label files, paired by study through the catalog;
// it writes the model into ANALYSIS#models, and the apply batch registers each study's labels with
// their tags. A short training (20 iterations of a small scheme): the Dice figures are
// test/patchwork.test.ts's.

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

describe('patchwork batches through the CLI', () => {
  it('trains on the studies tagged train and segments the others, registering the outputs', () => {
    const dir = tempDir();
    const root = join(dir, 'heads project');
    writeLabelledHeads(root, { subjects: 6 });
    const env = { COHORT_HOME: join(dir, 'home'), HOME: dir };
    expect(runCohort(['create', 'heads', root], env).code).toBe(0);
    expect(runCohort(['tag', 'add', 'train', 'H001', 'H002', 'H003', 'H006'], env).code).toBe(0);
    // H006's labels are gone: not ready, so the group job trains on the other three.
    rmSync(join(root, 'H006', '20240101', 'labels'), { recursive: true });
    expect(runCohort(['rescan'], env).code).toBe(0);

    const batch = JSON.parse(readFileSync(join(EXAMPLES, 'patchwork-train.json'), 'utf8')) as {
      jobs: { args: { name: string; value?: unknown }[] }[];
    };
    for (const arg of batch.jobs[0]?.args ?? []) {
      if (arg.name === 'n1') arg.value = 20;
      if (arg.name === 's1') arg.value = 'depth=2 patch=16 epoch=10 lr=0.005';
    }
    const trainBatch = join(dir, 'train.json');
    writeFileSync(trainBatch, JSON.stringify(batch));
    const preview = JSON.parse(runCohort(['preview', trainBatch, 'stag:train', '--json'], env).stdout) as {
      group: { items: string[] };
    };
    expect(preview.group.items).toEqual(['H001#20240101', 'H002#20240101', 'H003#20240101']);
    const trained = runCohort(['run', trainBatch, 'stag:train'], env, { timeout: 240_000 });
    // H006 is reported as not run (missing its labels), so the run exits 1; the group task is done.
    expect(trained.stderr).toMatch(/not run: H006#20240101: .*f2/);
    expect(trained.code).toBe(1);
    const tasks = (
      JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as {
        tasks: { item: string; state: string }[];
      }
    ).tasks;
    expect(tasks.map((t) => [t.item, t.state])).toEqual([['*', 'done']]);
    const log = runCohort(['grid', 'log', '1'], env).stdout;
    expect(log).toMatch(/loading 3 studies \(2 train, 1 validation\)/);
    expect(log).toMatch(/iteration 20\/20 loss/);
    const modelFile = join(root, 'analysis', 'models', 'tissue_model', 'model_patchwork.json');
    const model = JSON.parse(readFileSync(modelFile, 'utf8')) as {
      studies: { train: string[]; validation: string[] };
      weights: { sha256: string };
    };
    expect([...model.studies.train, ...model.studies.validation].sort()).toEqual([
      'H001#20240101',
      'H002#20240101',
      'H003#20240101',
    ]);
    const shown = runCohort(['grid', 'show', '1'], env).stdout;
    expect(shown).toContain('patchwork_model');

    const applied = runCohort(['run', join(EXAMPLES, 'patchwork-apply.json'), 'H004', 'H005'], env, {
      timeout: 120_000,
    });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const pid of ['H004', 'H005']) {
      const labels = runCohort(['select', pid, 'tag:patchwork'], env).stdout.trim();
      expect(labels).toBe(join(root, pid, '20240101', 'seg', 'tissue_labels.nii.gz'));
      const provenancePath = runCohort(['select', pid, 'tag:patchwork_provenance'], env).stdout.trim();
      const provenance = JSON.parse(readFileSync(provenancePath, 'utf8')) as { weights_sha256: string };
      const weights = readFileSync(join(root, 'analysis', 'models', 'tissue_model', 'weights.pt'));
      expect(provenance.weights_sha256).toBe(model.weights.sha256);
      expect(provenance.weights_sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    }
  }, 400_000);
});
