import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { writeNifti1 } from '../src/demo/nifti1.js';
import { SeededRandom } from '../src/demo/seeded-random.js';
import { readNiftiVolume } from '../src/imaging/nifti-volume.js';
import { convertTracts } from '../src/tracts/index.js';
import { TckWriter } from '../src/tracts/tck-writer.js';
import { machineLine, median, ms, ratio } from './measure.js';
import { writeSection } from './write-results.js';
import { deleteWorkFolder } from './fresh-work.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const WORK = fileURLToPath(new URL('./.work/tracts/', import.meta.url));
const RUNS = Number(process.env.TRACTS_BENCH_RUNS ?? 3);
// The statistics runs are short and the ratio to tckstats is the noisiest figure: more of them.
const STATS_RUNS = Number(process.env.TRACTS_BENCH_STATS_RUNS ?? 9);
const STREAMLINES = Number(process.env.TRACTS_BENCH_STREAMLINES ?? 1_000_000);
const BIG = Number(process.env.TRACTS_BENCH_BIG ?? 0); // e.g. 10000000 for the flat-memory check
const POINTS = 30;

/** Random walks of 30 points, 1 mm steps, inside a 120 mm box: whole-brain-like coverage. */
function writeSynthetic(path: string, count: number): void {
  const rng = new SeededRandom(7);
  const random = (): number => rng.next();
  const writer = new TckWriter(path, { step_size: '1' });
  const chunk = 50_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    const positions = new Float32Array(n * POINTS * 3);
    const offsets = Float64Array.from({ length: n + 1 }, (_, i) => i * POINTS);
    for (let s = 0; s < n; s++) {
      let [x, y, z] = [random() * 100 - 50, random() * 120 - 60, random() * 100 - 50];
      let [dx, dy, dz] = [random() - 0.5, random() - 0.5, random() - 0.5];
      for (let p = 0; p < POINTS; p++) {
        const norm = Math.hypot(dx, dy, dz) || 1;
        [x, y, z] = [x + dx / norm, y + dy / norm, z + dz / norm];
        const at = (s * POINTS + p) * 3;
        positions[at] = x;
        positions[at + 1] = y;
        positions[at + 2] = z;
        [dx, dy, dz] = [
          dx / norm + (random() - 0.5) * 0.3,
          dy / norm + (random() - 0.5) * 0.3,
          dz / norm + (random() - 0.5) * 0.3,
        ];
      }
    }
    writer.write({ positions, offsets, count: n, dpp: {}, dps: {} });
  }
  writer.close();
}

interface Measure {
  readonly ms: number;
  /** User plus system CPU time: steadier than wall time on a shared machine. */
  readonly cpuMs: number;
  readonly rssMB: number;
}

/** Wall time, CPU time and peak RSS (GNU time) of a command. */
function run(command: string, args: readonly string[]): Measure {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const last = result.stderr.trim().split('\n').pop() ?? '';
  const [user = NaN, system = NaN, kb = NaN] = last.split(' ').map(Number);
  return { ms: elapsed, cpuMs: (user + system) * 1000, rssMB: kb / 1024 };
}

/** Wall-time ratios of the first command to the second, run by run (the spread of the ratio). */
let lastRatios: number[] = [];

/** Runs the commands alternately `times` times; medians of time and RSS per command. */
function alternate(commands: readonly (readonly string[])[], times = RUNS): Measure[] {
  const runs = commands.map(() => [] as Measure[]);
  for (let r = 0; r < times; r++) {
    commands.forEach(([command = '', ...args], i) => runs[i]?.push(run(command, args)));
  }
  lastRatios = (runs[0] ?? []).map((m, i) => m.ms / (runs[1]?.[i]?.ms ?? NaN));
  return runs.map((list) => ({
    ms: median(list.map((m) => m.ms)),
    cpuMs: median(list.map((m) => m.cpuMs)),
    rssMB: median(list.map((m) => m.rssMB)),
  }));
}

const load = (): string => loadavg()[0]!.toFixed(1);

/** Figures of issue 12: statistics and maps against MRtrix3, flat streaming memory, read speed per format. */
export async function runTractsBench(): Promise<void> {
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const tck = join(WORK, 'synthetic.tck');
  writeSynthetic(tck, STREAMLINES);
  const reference = join(WORK, 'reference.nii');
  writeNifti1(reference, {
    dims: [140, 160, 140],
    pixdim: [1, 1, 1],
    datatype: 'int16',
    data: new Int16Array(140 * 160 * 140),
  });
  const cohort = (...args: string[]): string[] => [process.execPath, CLI, 'tracts', ...args];

  const loadBefore = load();
  const [ours, theirs] = alternate([cohort('stats', tck, '--json'), ['tckstats', tck, '-quiet']], STATS_RUNS);
  const statsRatios = [...lastRatios].sort((a, b) => a - b);
  const [oursMap, theirsMap] = alternate([
    cohort('map', tck, reference, join(WORK, 'ours.nii')),
    ['tckmap', tck, '-template', reference, '-upsample', '1', '-quiet', '-force', join(WORK, 'theirs.nii')],
  ]);
  const [mapA, mapB] = [readNiftiVolume(join(WORK, 'ours.nii')), readNiftiVolume(join(WORK, 'theirs.nii'))];
  const differing = mapA.data.reduce((n, v, i) => n + (v === mapB.data[i] ? 0 : 1), 0);
  const trk = join(WORK, 'synthetic.trk');
  const trx = join(WORK, 'synthetic.trx');
  convertTracts(tck, trk);
  convertTracts(tck, trx);
  const reads = alternate([cohort('info', tck), cohort('info', trk), cohort('info', trx)]);
  const points = STREAMLINES * POINTS;
  const perPoint = (m: Measure): string => `${((m.cpuMs * 1e6) / points).toFixed(1)} ns`;
  const row = (what: string, mine: string, a: Measure, peer: string, b: Measure, target: string): string =>
    `| ${what} | ${mine} | ${ms(a.ms)} (CPU ${ms(a.cpuMs)}) | ${a.rssMB.toFixed(0)} MB | ${peer} | ${ms(b.ms)} (CPU ${ms(b.cpuMs)}) | ${b.rssMB.toFixed(0)} MB | ${ratio(a.ms / b.ms)} (CPU ${ratio(a.cpuMs / b.cpuMs)}) | ${target} |`;
  const rows = [
    row('statistics (count, lengths)', '`cohort tracts stats`', ours!, '`tckstats`', theirs!, 'within 1.5×'),
    row(
      'visit map, 1 mm grid',
      '`cohort tracts map`',
      oursMap!,
      '`tckmap -upsample 1`',
      theirsMap!,
      'at most 0.33×',
    ),
  ];
  let big = '';
  if (BIG > 0) {
    const bigTck = join(WORK, 'big.tck');
    writeSynthetic(bigTck, BIG);
    const [b] = alternate([cohort('stats', bigTck, '--json')], 1);
    big = `\nWith ${BIG.toLocaleString('en')} streamlines (${(statSync(bigTck).size / 2 ** 30).toFixed(1)} GiB): \`cohort tracts stats\` ${ms(b!.ms)} (CPU ${ms(b!.cpuMs)}), peak RSS ${b!.rssMB.toFixed(0)} MB.`;
    rmSync(bigTck);
  }
  const formats = ['TCK', 'TRK', 'TRX'].map(
    (name, i) =>
      `| ${name} | ${ms(reads[i]!.ms)} | ${ms(reads[i]!.cpuMs)} | ${perPoint(reads[i]!)} | ${reads[i]!.rssMB.toFixed(0)} MB |`,
  );
  writeSection(
    'tracts',
    `## Tracts (issue 12)

Synthetic TCK of ${STREAMLINES.toLocaleString('en')} streamlines × ${POINTS} points (${(statSync(tck).size / 2 ** 20).toFixed(0)} MB), \`bench/tracts-bench.ts\`, whole processes,
the peer alternated with ours, medians of ${STATS_RUNS} runs (statistics) and ${RUNS} (maps, reads); MRtrix3 3.0.3 with its default threads. CPU is user + system time and peak RSS is from GNU time;\nthe machine is shared with other engineers' builds and tests, so wall times vary more than CPU times.
Machine: ${machineLine()}; 1-minute load average ${loadBefore} before and ${load()} after (on 2 cores).

| what | ours | time | RSS | MRtrix3 | time | RSS | ratio | target |
| ---- | ---- | ---- | --- | ------- | ---- | --- | ----- | ------ |
${rows.join('\n')}

Statistics, wall ratio to \`tckstats\` run by run (sorted): ${statsRatios.map((r) => r.toFixed(2)).join(', ')}.
The two visit maps differ in ${differing} voxel(s).
${big}

Reading every streamline (\`cohort tracts info\`, streaming all three formats; per point includes the process start):

| format | time | CPU | CPU per point | RSS |
| ------ | ---- | --- | ------------- | --- |
${formats.join('\n')}`,
  );
  deleteWorkFolder(WORK);
  // As `npm run lint` (prettier --check) wants the file: aligned tables.
  const docs = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  writeFileSync(
    docs,
    await format(readFileSync(docs, 'utf8'), { ...(await resolveConfig(docs)), parser: 'markdown' }),
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1])
  await runTractsBench();
