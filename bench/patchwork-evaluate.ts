import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dice } from '../src/imaging/dice.js';
import { readNiftiVolume } from '../src/imaging/nifti-volume.js';
import { median } from './measure.js';

// Applies trained patchwork models (the library's patchwork_apply.py as a whole process) to held-out
// heads and to Colin27, with the Dice of src/imaging/dice.ts. Used by bench/patchwork-bench.ts, and on
// its own to evaluate models trained outside it (long trainings run for an hour or more):
//   npx tsx bench/patchwork-evaluate.ts HELDOUT.json NAME=MODEL_DIR[@WEIGHTS.pt] ... [-- APPLY ARGS]
// prints one JSON line per model (Dice per tissue and brain, medians over the heads; apply times);
//   npx tsx bench/patchwork-evaluate.ts --masks LIST.json|ch2 BRAIN_FROM NAME=MODEL_DIR ... [-- APPLY ARGS]
// one line per model and image: brain-mask Dice against the listed masks (Colin27 with `ch2`).

const PYTHON = '/usr/bin/python3';
const LIB = fileURLToPath(new URL('../library/segmentation/', import.meta.url));
/** The synthetic heads' tissue labels, by value. */
export const TISSUES = ['background', 'scalp', 'skull', 'gm', 'wm', 'csf', 'lesion'];

/** Wall time, CPU time and peak RSS (GNU time) of a script run. */
export interface Measure {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssMB: number;
  readonly stdout: string;
}

/** One held-out subject: a T1 and its tissue labels. */
export interface Head {
  readonly pid: string;
  readonly t1: string;
  readonly labels: string;
}

/** Runs a Python script of the library under GNU time. */
export async function python(script: string, args: readonly string[]): Promise<Measure> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', PYTHON, join(LIB, script), ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${stderr}`);
  const [user = NaN, system = NaN, kb = NaN] = (stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { seconds, cpuSeconds: user + system, rssMB: kb / 1024, stdout };
}

/** patchwork_apply.py on one image; `applySeconds` is the script's own time of the patch work. */
export async function applyModel(
  folder: string,
  t1: string,
  out: string,
  extra: readonly string[] = [],
): Promise<Measure & { applySeconds: number }> {
  const model = join(folder, 'model_patchwork.json');
  const m = await python('patchwork_apply.py', [
    ...['--model', model, '--contrasts', t1, '--output', out, '--provenance', `${out}.json`],
    ...extra,
  ]);
  return { ...m, applySeconds: Number(/applied in ([\d.]+) s/.exec(m.stdout)?.[1] ?? NaN) };
}

/** Figures of one model on the held-out heads: medians of Dice per tissue (over the heads that have it),
 * brain (labels 3-6), times. */
export interface HeadFigures {
  readonly dice: number[];
  readonly brain: number;
  readonly perHeadBrain: number[];
  readonly seconds: number;
  readonly applySeconds: number;
  readonly cpuSeconds: number;
  readonly rssMB: number;
}

/** Applies the model to each head (one after the other) and compares with the heads' labels. */
export async function evaluateHeads(
  folder: string,
  heads: readonly Head[],
  work: string,
  extra: readonly string[] = [],
): Promise<HeadFigures> {
  const rows: { m: Measure & { applySeconds: number }; dice: number[]; brain: number }[] = [];
  const tag = `${basename(folder)}${extra.join('')}`.replace(/[^\w.-]+/g, '_');
  for (const head of heads) {
    const out = join(work, `${head.pid}-${tag}.nii.gz`);
    const m = await applyModel(folder, head.t1, out, extra);
    const [p, t] = [readNiftiVolume(out).data, readNiftiVolume(head.labels).data];
    // A tissue the head lacks (the lesion of every other one) gives no Dice rather than a free 1.
    const present = TISSUES.map((_, k) => t.some((v) => v === k));
    rows.push({
      m,
      dice: TISSUES.map((_, k) => (present[k] === true ? dice(p, t, (v) => v === k) : NaN)),
      brain: dice(p, t, (v) => v >= 3),
    });
  }
  const finite = (values: number[]): number[] => values.filter((v) => Number.isFinite(v));
  return {
    dice: TISSUES.map((_, k) => median(finite(rows.map((r) => r.dice[k] ?? NaN)))),
    brain: median(rows.map((r) => r.brain)),
    perHeadBrain: rows.map((r) => r.brain),
    seconds: median(rows.map((r) => r.m.seconds)),
    applySeconds: median(rows.map((r) => r.m.applySeconds)),
    cpuSeconds: median(rows.map((r) => r.m.cpuSeconds)),
    rssMB: median(rows.map((r) => r.m.rssMB)),
  };
}

/** Brain-mask Dice of one applied image against a mask (> 0 is brain); labels >= `brainFrom` are brain. */
export async function maskDice(
  folder: string,
  image: string,
  mask: string,
  out: string,
  brainFrom: number,
  extra: readonly string[] = [],
): Promise<{ dice: number; applySeconds: number; seconds: number; cpuSeconds: number; rssMB: number }> {
  const m = await applyModel(folder, image, out, extra);
  const value = dice(
    readNiftiVolume(out).data,
    // The truth's brain voxels get a value the predicate counts as brain (1 would not be, for brainFrom 3).
    readNiftiVolume(mask).data.map((v) => (v > 0 ? brainFrom : 0)),
    (v) => v >= brainFrom,
  );
  return {
    dice: value,
    applySeconds: m.applySeconds,
    seconds: m.seconds,
    cpuSeconds: m.cpuSeconds,
    rssMB: m.rssMB,
  };
}

/** Brain-mask Dice on Colin27 (`ch2.nii.gz` against `ch2bet.nii.gz` > 0); labels >= `brainFrom` are brain. */
export async function ch2Dice(
  folder: string,
  templates: string,
  work: string,
  brainFrom: number,
  extra: readonly string[] = [],
): Promise<{ dice: number; applySeconds: number; seconds: number; cpuSeconds: number; rssMB: number }> {
  const tag = `${basename(folder)}${extra.join('')}`.replace(/[^\w.-]+/g, '_');
  return maskDice(
    folder,
    join(templates, 'ch2.nii.gz'),
    join(templates, 'ch2bet.nii.gz'),
    join(work, `ch2-${tag}.nii.gz`),
    brainFrom,
    extra,
  );
}

/** A model folder for weights saved at an earlier epoch: the description with those weights' sha256. */
export function snapshotModel(folder: string, weights: string, dest: string): string {
  mkdirSync(dest, { recursive: true });
  const description = JSON.parse(readFileSync(join(folder, 'model_patchwork.json'), 'utf8')) as {
    weights: { file: string; sha256: string };
  };
  copyFileSync(weights, join(dest, 'weights.pt'));
  description.weights = {
    file: 'weights.pt',
    sha256: createHash('sha256').update(readFileSync(weights)).digest('hex'),
  };
  writeFileSync(join(dest, 'model_patchwork.json'), JSON.stringify(description, null, 2));
  return dest;
}

/** `--masks LIST.json BRAIN_FROM NAME=MODEL_DIR ...`: brain-mask Dice of each model on each listed image
 * (a training-list JSON whose labels are masks, e.g. bench/patchwork-augment.py's output; `ch2` = Colin27). */
async function masks(argv: readonly string[], extra: readonly string[]): Promise<void> {
  const [list = '', brainFrom = '1', ...models] = argv;
  const templates = process.env.COHORT_TEMPLATE_DIR ?? '/usr/share/mricron/templates';
  const images =
    list === 'ch2'
      ? [
          {
            id: 'ch2',
            contrasts: [join(templates, 'ch2.nii.gz')],
            labels: [join(templates, 'ch2bet.nii.gz')],
          },
        ]
      : (
          JSON.parse(readFileSync(list, 'utf8')) as {
            studies: { id: string; contrasts: string[]; labels: string[] }[];
          }
        ).studies;
  const work = join(
    list === 'ch2' ? fileURLToPath(new URL('./.work/', import.meta.url)) : join(list, '..'),
    'evaluated',
  );
  mkdirSync(work, { recursive: true });
  for (const spec of models) {
    const [name = '', folder = ''] = spec.split('=');
    for (const study of images) {
      const tag = `${name}-${study.id}${extra.join('')}`.replace(/[^\w.-]+/g, '_');
      const before = loadavg()[0];
      const [image = '', mask = ''] = [study.contrasts[0], study.labels[0]];
      const figures = await maskDice(
        folder,
        image,
        mask,
        join(work, `${tag}.nii.gz`),
        Number(brainFrom),
        extra,
      );
      console.log(JSON.stringify({ name, image: study.id, extra, ...figures, load: [before, loadavg()[0]] }));
    }
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const split = argv.indexOf('--');
  if (argv[0] === '--masks')
    return masks(split >= 0 ? argv.slice(1, split) : argv.slice(1), split >= 0 ? argv.slice(split + 1) : []);
  const [heldOut = '', ...models] = split >= 0 ? argv.slice(0, split) : argv;
  const extra = split >= 0 ? argv.slice(split + 1) : [];
  const listed = JSON.parse(readFileSync(heldOut, 'utf8')) as {
    studies: { id: string; contrasts: string[]; labels: string[] }[];
  };
  const heads = listed.studies.map((s) => ({
    pid: s.id,
    t1: s.contrasts[0] ?? '',
    labels: s.labels[0] ?? '',
  }));
  const work = join(heldOut, '..', 'evaluated');
  mkdirSync(work, { recursive: true });
  for (const spec of models) {
    const [name = '', path = ''] = spec.split('=');
    const [folder = '', weights] = path.split('@');
    const model =
      weights === undefined ? folder : snapshotModel(folder, weights, join(work, `model-${name}`));
    const before = loadavg()[0];
    const figures = await evaluateHeads(model, heads, work, extra);
    console.log(JSON.stringify({ name, extra, ...figures, load: [before, loadavg()[0]] }));
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await main(process.argv.slice(2));
