import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLabelledHeads, type LabelledHead } from '../src/demo/labelled-heads.js';
import { dice } from '../src/imaging/dice.js';
import { readNiftiVolume } from '../src/imaging/nifti-volume.js';
import { buildCommand } from '../src/jobs/build-command.js';
import type { ResolvedArguments } from '../src/jobs/task-command.js';
import {
  BUNDLED_LIBRARY_DIR,
  libraryJob,
  libraryJobDefinition,
  loadLibrary,
  type LibraryJob,
} from '../src/jobs/library.js';
import { HOSTILE_NAME, runTask, tempDir, type TaskResult } from '../src/jobs/test-fixture.js';

// The patchwork library jobs for real (Debian's python3-torch on the CPU, /usr/bin/python3 as a queue
// configures it): synthetic heads of the demo generator with their tissue labels as ground truth, in
// folders whose names break any command line built as text. 6 subjects train, 2 are held out.

const PYTHON = '/usr/bin/python3';
// Small enough for CI (100 iterations in about a minute on one core): 2 levels of 16^3 patches, the
// depth left to the default rule (auto: 32 voxels on 16-voxel patches need 2 levels).
const SCHEME = 'patch=16 scale=0.5 features=8,16,32 epoch=25 lr=0.005';
const BRAIN = (v: number): boolean => v >= 3;

/** The parts of model_patchwork.json, loss.json and the provenance JSON the tests read. */
interface ModelFile {
  readonly format: string;
  readonly contrasts: unknown;
  readonly labels: { readonly values: number[] };
  readonly scheme: unknown;
  readonly training: { readonly iterations: number; readonly iterations_done: number };
  readonly trained_epochs: number;
  readonly trainloss_hist: number[];
  readonly validloss_hist: number[];
  readonly studies: { readonly train: string[]; readonly validation: string[] };
  readonly torch: string;
  readonly weights: { readonly sha256: string };
  readonly train?: number[];
  readonly weights_sha256?: string;
  readonly parent?: string;
}

function readJson(path: string): ModelFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelFile;
}

let library: LibraryJob[];
let root: string;
let heads: LabelledHead[];
let list: string;

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, nibabel, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import torch and nibabel — run: bash scripts/install-test-deps.sh\n${probe.stderr}`,
    );
  }
  library = loadLibrary([BUNDLED_LIBRARY_DIR]);
  root = join(tempDir('patchwork'), `heads ${HOSTILE_NAME}`);
  heads = writeLabelledHeads(root, { subjects: 8 });
  list = writeList('training list.json', heads.slice(0, 6));
});

function writeList(name: string, subjects: readonly LabelledHead[]): string {
  const path = join(root, name);
  const studies = subjects.map((h) => ({ id: h.pid, contrasts: [h.t1], labels: [h.labels] }));
  writeFileSync(path, JSON.stringify({ studies }));
  return path;
}

function command(id: string, values: ResolvedArguments, work: string): ReturnType<typeof buildCommand> {
  return buildCommand(libraryJobDefinition(libraryJob(id, library)), values, work, {
    library,
    python: PYTHON,
  });
}

/**
 * The training's arguments as the group-level job gets them: the lists of every training study's T1
 * (f1) and labels (f2), paired by position outside a run; or a training list file (f4), which takes
 * precedence over the (required) f1 and f2.
 */
function trainValues(
  model: string,
  iterations: number,
  training: string | readonly LabelledHead[] = heads.slice(0, 6),
  scheme = SCHEME,
): ResolvedArguments {
  const files =
    typeof training === 'string'
      ? { f1: [heads[0]?.t1 ?? ''], f2: [heads[0]?.labels ?? ''], f4: [training] }
      : { f1: training.map((h) => h.t1), f2: training.map((h) => h.labels), f4: [] };
  return {
    ...files,
    f3: [],
    n1: iterations,
    s1: scheme,
    o1: join(model, 'model_patchwork.json'),
    o2: join(model, 'loss.png'),
  };
}

async function train(
  model: string,
  iterations: number,
  training: string | readonly LabelledHead[] = heads.slice(0, 6),
  scheme = SCHEME,
): Promise<TaskResult> {
  const work = `${model} work`;
  return runTask(
    command('segmentation/patchwork-train', trainValues(model, iterations, training, scheme), work),
    work,
  );
}

async function apply(model: string, t1: string[], out: string): Promise<TaskResult> {
  const values = {
    f1: t1.slice(0, 1),
    f3: t1.slice(1),
    f2: [join(model, 'model_patchwork.json')],
    type: 'mask',
    n1: 1,
    o1: out,
    o2: `${out}.json`,
  };
  const work = `${out} work`;
  return runTask(command('segmentation/patchwork-apply', values, work), work);
}

/** Dice by numpy: the reference the TypeScript figure is checked against. */
/** numpy's Dice of the brain (labels >= 3) and of each tissue 0-6 (NaN where both sets are empty). */
function numpyDice(a: string, b: string): number[] {
  const script = [
    'import sys, nibabel as nib, numpy as np',
    'a, b = (np.asarray(nib.load(p).dataobj) for p in sys.argv[1:3])',
    'd = lambda x, y: 2 * int((x & y).sum()) / int(x.sum() + y.sum()) if (x | y).any() else float("nan")',
    'print(" ".join(repr(d(x, y)) for x, y in [(a >= 3, b >= 3)] + [(a == k, b == k) for k in range(7)]))',
  ].join('\n');
  const out = spawnSync(PYTHON, ['-c', script, a, b], { encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  return out.stdout.trim().split(' ').map(Number);
}

describe('patchwork-train and patchwork-apply on synthetic heads', () => {
  const model = (): string => join(root, `model ${HOSTILE_NAME}`);

  it('trains 100 iterations, saving the model, loss curves and progress every epoch', async () => {
    const started = Date.now();
    const result = await train(model(), 100);
    expect(result.code, result.stderr).toBe(0);
    // About 60 s on an idle core (the issue asks for under 2 minutes); 270 s were measured at a load
    // average of 25 on two cores, so the bound only catches a training that runs away.
    expect(Date.now() - started).toBeLessThan(480_000);
    expect(result.stdout).toMatch(/iteration 100\/100 loss [\d.]+ [\d.]+ it\/s time left 0 s/);
    const description = readJson(join(model(), 'model_patchwork.json'));
    expect(description.format).toBe('cohort-patchwork/1');
    expect(description.contrasts).toEqual([{ index: 0, name: 't1.nii.gz' }]);
    expect(description.labels.values).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(description.scheme).toMatchObject({
      depth: 2,
      depth_rule: 'auto',
      patch: [16, 16, 16],
      fov: [1, 0.5],
      // parent=auto: plain at depth 2 (residual parents learnt CSF far more slowly there).
      parent: 'plain',
      parent_rule: 'auto',
    });
    expect(description.training).toMatchObject({
      iterations: 100,
      iterations_done: 100,
      iterations_per_epoch: 25,
    });
    expect(description.trained_epochs).toBe(4);
    expect(description.trainloss_hist).toHaveLength(4);
    expect(description.validloss_hist).toHaveLength(4);
    expect(description.trainloss_hist[3]).toBeLessThan(description.trainloss_hist[0] ?? NaN);
    expect(description.studies.train).toHaveLength(5);
    expect(description.studies.validation).toHaveLength(1);
    expect(description.torch).toMatch(/^1\./);
    const weights = readFileSync(join(model(), 'weights.pt'));
    expect(description.weights.sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    const curves = readJson(join(model(), 'loss.json'));
    expect(curves.train).toEqual(description.trainloss_hist);
    expect(readFileSync(join(model(), 'loss.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 600_000);

  it('segments held-out subjects: brain Dice at least 0.8, the same in TypeScript as in numpy', async () => {
    for (const head of heads.slice(6)) {
      const out = join(root, head.pid, `seg ${HOSTILE_NAME}.nii.gz`);
      const result = await apply(model(), [head.t1], out);
      expect(result.code, result.stderr).toBe(0);
      const predicted = readNiftiVolume(out);
      const truth = readNiftiVolume(head.labels);
      expect(predicted.dims).toEqual(truth.dims);
      const ours = dice(predicted.data, truth.data, BRAIN);
      // Both count voxels exactly and divide once, so they agree to the last bit, brain and each tissue
      // (the bench's Dice per tissue is this function's).
      const [brain, ...tissues] = numpyDice(out, head.labels);
      expect(ours).toBe(brain);
      tissues.forEach((value, k) => {
        if (Number.isFinite(value)) expect(dice(predicted.data, truth.data, (v) => v === k)).toBe(value);
      });
      expect(ours).toBeGreaterThanOrEqual(0.8);
      const provenance = readJson(`${out}.json`);
      expect(provenance.weights_sha256).toBe(readJson(join(model(), 'model_patchwork.json')).weights.sha256);
    }
  }, 120_000);

  it('resumes a training killed with -9 from its last checkpoint', async () => {
    const folder = join(root, 'resumed model');
    const work = `${folder} work`;
    const cmd = command(
      'segmentation/patchwork-train',
      trainValues(folder, 40, heads.slice(0, 6), SCHEME.replace('epoch=25', 'epoch=10')),
      work,
    );
    mkdirSync(work, { recursive: true });
    for (const file of cmd.files) writeFileSync(file.path, file.content);
    for (const dir of cmd.mkdirs) mkdirSync(dir, { recursive: true });
    const [program = '', ...args] = cmd.argv;
    const child = spawn(program, args, {
      cwd: work,
      env: { ...process.env, ...cmd.env },
      detached: true,
      stdio: 'ignore',
    });
    const modelFile = join(folder, 'model_patchwork.json');
    const deadline = Date.now() + 120_000;
    while (!existsSync(modelFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(modelFile)).toBe(true);
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    await new Promise((r) => child.once('close', r));
    const killedAt = readJson(modelFile).training.iterations_done;
    expect(killedAt).toBeGreaterThanOrEqual(10);
    expect(killedAt).toBeLessThan(40);

    const result = await runTask(cmd, work);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/resuming from iteration (10|20|30) /);
    const description = readJson(modelFile);
    expect(description.training.iterations_done).toBe(40);
    expect(description.trained_epochs).toBe(4);
    expect(description.trainloss_hist).toHaveLength(4);
  }, 300_000);
});

describe('patchwork bad inputs fail with the reason and write nothing', () => {
  const model = (): string => join(root, `model ${HOSTILE_NAME}`);

  it('refuses a damaged model file, changed weights and a wrong number of contrasts', async () => {
    const broken = join(root, 'broken model');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'model_patchwork.json'), '{"format": "cohort-patchwork/1", ');
    const head = heads[7] as LabelledHead;
    const out = join(root, 'bad.nii.gz');
    let result = await apply(broken, [head.t1], out);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cohort: the model file .* is not valid JSON .* retrain or restore it/);
    expect(result.stderr).not.toMatch(/Traceback/);

    const description = readFileSync(join(model(), 'model_patchwork.json'), 'utf8');
    writeFileSync(join(broken, 'model_patchwork.json'), description);
    writeFileSync(join(broken, 'weights.pt'), 'not the weights');
    result = await apply(broken, [head.t1], out);
    expect(result.stderr).toMatch(/do not match the sha256/);

    result = await apply(model(), [head.t1, head.t1], out);
    expect(result.stderr).toMatch(/trained on 1 contrasts \(t1.nii.gz\), given 2/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('refuses empty labels, a 4D contrast and a model folder of another scheme', async () => {
    const head = heads[0] as LabelledHead;
    const empty = join(root, 'empty labels.nii.gz');
    const fourD = join(root, 'four d.nii.gz');
    const script = [
      'import sys, nibabel as nib, numpy as np',
      'i = nib.load(sys.argv[1])',
      'nib.save(nib.Nifti1Image(np.zeros(i.shape, np.int16), i.affine), sys.argv[2])',
      'nib.save(nib.Nifti1Image(np.zeros(i.shape + (2,), np.float32), i.affine), sys.argv[3])',
    ].join('\n');
    expect(spawnSync(PYTHON, ['-c', script, head.labels, empty, fourD]).status).toBe(0);
    const emptyList = join(root, 'empty list.json');
    writeFileSync(
      emptyList,
      JSON.stringify({ studies: [{ id: 'E1', contrasts: [head.t1], labels: [empty] }] }),
    );
    let result = await train(join(root, 'empty model'), 5, emptyList);
    expect(result.stderr).toMatch(/labels .*empty labels.nii.gz of E1 have no labelled voxel/);

    const fourList = join(root, '4d list.json');
    writeFileSync(
      fourList,
      JSON.stringify({ studies: [{ id: 'F1', contrasts: [fourD], labels: [head.labels] }] }),
    );
    result = await train(join(root, 'four model'), 5, fourList);
    expect(result.stderr).toMatch(/has shape \(32, 32, 24, 2\), not 3D/);

    result = await train(model(), 150, list, SCHEME.replace('features=8,16,32', 'features=4,8,16'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /holds a model of other contrasts, labels or scheme — choose a new model folder/,
    );

    // A folder of a model saved before the parent option (a plain one; its network block has no
    // `parent`) resumes only as a plain one: a residual scheme is refused with the fix; the default
    // (auto, plain at this depth 2) resumes it. Such a model applies as a plain one.
    const old = join(root, 'old model');
    const oldScheme = SCHEME.replace('epoch=25', 'epoch=2');
    result = await train(old, 2, list, `${oldScheme} parent=plain`);
    expect(result.code, result.stderr).toBe(0);
    const strip = [
      'import sys, json, torch',
      'state = torch.load(sys.argv[1])',
      'for d in (state["description"],):',
      '    del d["network"]["parent"], d["scheme"]["parent"]',
      'torch.save(state, sys.argv[1])',
      'd = json.load(open(sys.argv[2]))',
      'del d["network"]["parent"], d["scheme"]["parent"]',
      'json.dump(d, open(sys.argv[2], "w"))',
    ].join('\n');
    const stripped = spawnSync(
      PYTHON,
      ['-c', strip, join(old, 'checkpoint.pt'), join(old, 'model_patchwork.json')],
      { encoding: 'utf8' },
    );
    expect(stripped.status, stripped.stderr).toBe(0);
    result = await train(old, 4, list, `${oldScheme} parent=residual`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /holds a model with parent=plain \(saved before the parent option, whose models are all plain\), the scheme asks for parent=residual — add parent=plain to the scheme to resume it/,
    );
    expect(result.stderr).not.toMatch(/Traceback/);
    const oldOut = join(root, 'old model.nii.gz');
    result = await apply(old, [head.t1], oldOut);
    expect(result.code, result.stderr).toBe(0);
    expect(readJson(`${oldOut}.json`)).toMatchObject({ parent: 'plain' });
    result = await train(old, 4, list, oldScheme);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/resuming from iteration 2 /);
    expect(readJson(join(old, 'model_patchwork.json')).training.iterations_done).toBe(4);
    result = await train(join(root, 'odd parent'), 2, list, `${oldScheme} parent=sum`);
    expect(result.stderr).toMatch(
      /parent=sum — use parent=auto \(the default: residual at depth 3 and more, plain at depth 2\), parent=residual or parent=plain/,
    );

    // Outside a run the group job's lists pair by position: one label image per contrast.
    const unpaired = trainValues(join(root, 'unpaired model'), 5, heads.slice(0, 2));
    const work = join(root, 'unpaired work');
    result = await runTask(
      command('segmentation/patchwork-train', { ...unpaired, f2: [heads[0]?.labels ?? ''] }, work),
      work,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lists must pair by position: 2 contrasts, 0 second contrasts, 1 labels/);
    expect(result.stderr).not.toMatch(/Traceback/);
  }, 240_000);
});
