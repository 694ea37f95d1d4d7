import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareTinyImage, TINY_IMAGE } from '../test/helpers/tiny-image.js';
import { machineLine, median, ms, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 17: what isolation costs per task (the same one-line bash job, plain, in the bubblewrap
 * sandbox, in a podman container of a local image), and what a firing of autoexec rules costs when
 * there is nothing new (`cohort rescan` of a project with a rule and without). Whole CLI processes,
 * alternated, medians.
 */
const WORK = fileURLToPath(new URL('./.work/isolation/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const STUDIES = 10;
const ROUNDS = 5;

export function runIsolationBench(): void {
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, COHORT_HOME: join(WORK, 'home') };
  const root = join(WORK, 'root');
  for (let i = 1; i <= STUDIES; i++) {
    mkdirSync(join(root, `P${String(i).padStart(3, '0')}`, '20240101', 't1'), { recursive: true });
    writeFileSync(join(root, `P${String(i).padStart(3, '0')}`, '20240101', 't1', 't1.nii'), 'x');
  }
  timeCommand(process.execPath, [CLI, 'create', 'bench', root], env);
  const container = prepareTinyImage(join(WORK, 'image'));
  const variants: Array<[string, object | undefined]> = [
    ['plain', undefined],
    ['sandbox (bwrap)', { kind: 'sandbox' }],
    ...(container.skip === undefined
      ? [
          [
            'podman (local image)',
            {
              kind: 'podman',
              image: TINY_IMAGE,
              ...(container.globalArgs === undefined ? {} : { globalArgs: container.globalArgs }),
              ...(container.runArgs === undefined ? {} : { runArgs: container.runArgs }),
            },
          ] as [string, object],
        ]
      : []),
  ];
  const batches = variants.map(([name, isolation], i) => {
    const file = join(WORK, `batch-${i}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        name: `b${i}`,
        level: 'study',
        jobs: [
          {
            name: 'Echo',
            language: 'bash',
            script: 'echo "$f1" > "$o1"',
            args: [
              { type: 'FILE', name: 'f1', patterns: ['t1/*.nii'], ref: { kind: 'current' } },
              { type: 'OUT', name: 'o1', path: 'out/echo.txt', ref: { kind: 'current' } },
            ],
            ...(isolation === undefined ? {} : { options: { isolation } }),
          },
        ],
      }),
    );
    return { name, file, times: [] as number[] };
  });
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of batches)
      b.times.push(timeCommand(process.execPath, [CLI, 'run', b.file, '--json'], env).ms);
  }
  const plain = median(batches[0]?.times ?? []);
  const rows = batches.map(
    (b) =>
      `| ${b.name} | ${ms(median(b.times))} | ${b === batches[0] ? '-' : ms((median(b.times) - plain) / STUDIES)} |`,
  );

  // Firing with nothing new: a rescan with a rule (after its studies were computed) against one without.
  const rescan = (): number => timeCommand(process.execPath, [CLI, 'rescan'], env).ms;
  const without: number[] = [];
  for (let i = 0; i < ROUNDS; i++) without.push(rescan());
  timeCommand(process.execPath, [CLI, 'batch', 'save', batches[0]?.file ?? ''], env);
  timeCommand(process.execPath, [CLI, 'auto', 'add', 'echo', '--batch', 'b0', '--include-existing'], env);
  timeCommand(process.execPath, [CLI, 'auto', 'fire'], env);
  const withRule: number[] = [];
  for (let i = 0; i < ROUNDS; i++) withRule.push(rescan());

  const text = `## Isolation and autoexec (issue 17)

\`bench/isolation-bench.ts\`: \`cohort run\` of a one-line bash job over ${STUDIES} studies (local executor),
whole process, ${ROUNDS} rounds alternated, medians. Machine: ${machineLine()}.

| isolation | run of ${STUDIES} tasks | extra per task |
|---|---|---|
${rows.join('\n')}
${container.skip === undefined ? '' : `\nPodman was not measured: ${container.skip}.\n`}
Podman on this machine needs \`--runtime runc\` and lowered rlimits (cgroups in hybrid mode, which crun
refuses; no CAP_SYS_RESOURCE), given as the isolation's \`globalArgs\`/\`runArgs\`.

A rescan of the ${STUDIES}-study project that finds nothing new: ${ms(median(without))} without rules,
${ms(median(withRule))} with one rule whose studies were all computed (the rescan then starts
\`cohort auto fire\`, which resolves the batch, hashes each study's job and inputs and finds every hash
started before).`;
  console.log(text);
  writeSection('isolation', text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runIsolationBench();
