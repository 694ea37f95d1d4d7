import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// A run whose jobs go to different engines, end to end through the CLI and a real single-node Slurm
// and SGE (scripts/cluster/*-up.sh): queues, hand-over between engines, outputs registered from cluster
// jobs, the erroneous subgroup, and a runner killed with -9 while the scheduler runs its jobs.

/** The clusters this machine starts for its tests, and the queue each offers. */
const CLUSTERS = [
  { engine: 'slurm', up: 'slurm-up.sh', target: 'debug', jobId: 'SLURM_JOB_ID' },
  { engine: 'sge', up: 'sge-up.sh', target: 'all.q', jobId: 'JOB_ID' },
] as const;
type Cluster = (typeof CLUSTERS)[number];

const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];

/** Job 1 on this machine, job 2 on the cluster (fails for `failFor`), job 3 back on this machine. */
function mixedBatch(cluster: Cluster, failFor: string | null, sleepSeconds = 0): object {
  const fail =
    failFor === null
      ? ''
      : `case "$COHORT_ITEM" in ${failFor}*) echo "bad on $(hostname)" >&2; exit 4;; esac\n`;
  return {
    name: 'mixed',
    level: 'study',
    jobs: [
      {
        name: 'Copy here',
        language: 'bash',
        script: 'cp "$f1" "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: "work/t1 'copy'.nii", ref: { kind: 'current' } },
        ],
        options: { resources: { queue: 'local' } },
      },
      {
        name: 'Measure on the cluster',
        language: 'bash',
        script: `${fail}sleep ${sleepSeconds}\nwc -c < "$f1" > "$o1"\necho "$${cluster.jobId}" >> "$o2"`,
        args: [
          { type: 'FILE', name: 'f1', patterns: ["work/t1 'copy'.nii"], ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'work/size.txt', ref: { kind: 'current' }, tags: ['size'] },
          { type: 'OUT', name: 'o2', path: 'work/cluster-job.txt', ref: { kind: 'current' } },
        ],
        options: { resources: { queue: 'cluster', memoryMB: 200 } },
      },
      {
        name: 'Back here',
        language: 'bash',
        script: 'test -s "$o1" && cohort add "$o1" --tag measured',
        args: [{ type: 'OUT', name: 'o1', path: 'work/size.txt', ref: { kind: 'current' } }],
        options: { resources: { queue: 'local' } },
      },
    ],
  };
}

function setup(cluster: Cluster, subjects: number): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  expect(runCohort(['demo', '--subjects', String(subjects)], env).code).toBe(0);
  const queue = runCohort(
    ['queue', 'add', 'cluster', '--engine', cluster.engine, '--target', cluster.target, '--time', '5'],
    env,
  );
  expect(queue.code, queue.stderr).toBe(0);
  return { env, dir };
}

interface GridTask {
  id: number;
  item: string;
  job_index: number;
  state: string;
  executor: string;
  executor_id: string | null;
  log_dir: string;
  error: string | null;
}

function tasks(env: Record<string, string>): GridTask[] {
  return (JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as { tasks: GridTask[] }).tasks;
}

describe.each(CLUSTERS)('a run over the local machine and $engine', (cluster) => {
  beforeAll(() => {
    const up = fileURLToPath(new URL(`../scripts/cluster/${cluster.up}`, import.meta.url));
    execFileSync('bash', [up], { stdio: 'pipe' });
  }, 300_000);

  it('hands each item from engine to engine, registers cluster outputs, and reruns the failed subgroup', () => {
    const { env, dir } = setup(cluster, 3);
    const failing = join(dir, 'mixed.json');
    writeFileSync(failing, JSON.stringify(mixedBatch(cluster, 'P002')));
    const run = runCohort(['run', failing, '--json'], env);
    expect(run.code, run.stderr).toBe(1);
    const all = tasks(env);
    const studies = all.filter((t) => t.job_index === 0).length;
    expect(all.filter((t) => t.job_index === 1).every((t) => t.executor === cluster.engine)).toBe(true);
    expect(all.filter((t) => t.job_index !== 1).every((t) => t.executor === 'local')).toBe(true);
    const failed = all.filter((t) => t.state === 'error');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((t) => t.item.startsWith('P002') && t.job_index === 1)).toBe(true);
    expect(failed[0]?.error).toMatch(/exit code 4.*bad on/);
    // The failed items' third job never ran; everyone else's did, after its cluster job.
    expect(
      all
        .filter((t) => t.state === 'skipped')
        .map((t) => t.item)
        .sort(),
    ).toEqual(failed.map((t) => t.item).sort());
    expect(all.filter((t) => t.state === 'done')).toHaveLength(3 * studies - 2 * failed.length);
    const sizes = runCohort(['select', 'tag:size'], env).stdout.trim().split('\n');
    expect(sizes).toHaveLength(studies - failed.length);
    for (const s of sizes) expect(Number(readFileSync(s, 'utf8'))).toBeGreaterThan(1000);
    const jobId = readFileSync(join(sizes[0] as string, '..', 'cluster-job.txt'), 'utf8').trim();
    expect(jobId).toMatch(/^\d+$/); // it really ran under the scheduler
    expect(runCohort(['select', 'tag:measured'], env).stdout.trim().split('\n')).toHaveLength(sizes.length);

    const fixed = join(dir, 'fixed.json');
    writeFileSync(fixed, JSON.stringify(mixedBatch(cluster, null)));
    const rerun = runCohort(
      [
        'rerun',
        String((JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as { runId: number }).runId),
        fixed,
        '--json',
      ],
      env,
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(runCohort(['select', 'tag:measured'], env).stdout.trim().split('\n')).toHaveLength(studies);
  }, 300_000);

  it('loses nothing when the runner is killed with -9 while the cluster runs its jobs', async () => {
    const { env, dir } = setup(cluster, 2);
    const path = join(dir, 'slow.json');
    writeFileSync(path, JSON.stringify(mixedBatch(cluster, null, 4)));
    const runner = spawn(process.execPath, [CLI, 'run', path], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 60_000;
    while (!tasks(env).some((t) => t.executor === cluster.engine && t.executor_id !== null)) {
      if (Date.now() > deadline) throw new Error(`no cluster job submitted: ${JSON.stringify(tasks(env))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    runner.kill('SIGKILL');
    await new Promise((r) => runner.once('exit', r));
    const resume = runCohort(['resume', '--json'], env);
    expect(resume.code, resume.stdout + resume.stderr).toBe(0);
    const after = tasks(env);
    expect(after.every((t) => t.state === 'done')).toBe(true);
    // Each cluster job ran once: it appends its job id to a file of its study.
    const runs = runCohort(['select', 'file:work/cluster-job.txt'], env).stdout.trim().split('\n');
    expect(runs).toHaveLength(after.filter((t) => t.job_index === 1).length);
    for (const file of runs) expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(runCohort(['select', 'tag:measured'], env).stdout.trim().split('\n')).toHaveLength(
      after.filter((t) => t.job_index === 0).length,
    );
  }, 300_000);
});
