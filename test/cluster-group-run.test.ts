import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// A group-level job on a real single-node Slurm and SGE (scripts/cluster/*-up.sh): the studies' jobs
// and the group job go to the scheduler in one submission, the group job with a dependency on all of
// them; the studies' last job runs back on this machine once the group job ended.

const CLUSTERS = [
  { engine: 'slurm', up: 'slurm-up.sh', target: 'debug', jobId: 'SLURM_JOB_ID' },
  { engine: 'sge', up: 'sge-up.sh', target: 'all.q', jobId: 'JOB_ID' },
] as const;
type Cluster = (typeof CLUSTERS)[number];

const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];
const GROUP = { kind: 'analysis', name: 'group' };

function batch(cluster: Cluster): object {
  const onCluster = { resources: { queue: 'cluster', memoryMB: 200 } };
  return {
    name: 'group on a cluster',
    level: 'study',
    jobs: [
      {
        name: 'Size',
        language: 'bash',
        // A group job that did not wait for every study would find sizes missing.
        script: 'sleep 2; wc -c < "$f1" > "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'work/size.txt', ref: { kind: 'current' } },
        ],
        options: onCluster,
      },
      {
        name: 'Sum',
        level: 'group',
        language: 'bash',
        script: `awk '{ s += $1 } END { print s }' "\${f1[@]}" > "$o1"\necho "$${cluster.jobId}" > "$o2"`,
        args: [
          { type: 'FILE', name: 'f1', patterns: ['work/size.txt'], ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'total.txt', ref: GROUP },
          { type: 'OUT', name: 'o2', path: 'cluster-job.txt', ref: GROUP },
        ],
        options: onCluster,
      },
      {
        name: 'Copy back here',
        language: 'bash',
        script: 'cp "$f1" "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: ['total.txt'], ref: GROUP },
          { type: 'OUT', name: 'o1', path: 'work/total.txt', ref: { kind: 'current' } },
        ],
        options: { resources: { queue: 'local' } },
      },
    ],
  };
}

interface GridTask {
  item: string;
  job_index: number;
  state: string;
  executor: string;
  started_at: number;
  ended_at: number;
}

describe.each(CLUSTERS)('a group-level job on $engine', (cluster) => {
  beforeAll(() => {
    const up = fileURLToPath(new URL(`../scripts/cluster/${cluster.up}`, import.meta.url));
    execFileSync('bash', [up], { stdio: 'pipe' });
  }, 300_000);

  it('waits for every study`s cluster job, runs once there, and the studies` last job reads its output', () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '3'], env).code).toBe(0);
    const queue = runCohort(
      ['queue', 'add', 'cluster', '--engine', cluster.engine, '--target', cluster.target, '--time', '5'],
      env,
    );
    expect(queue.code, queue.stderr).toBe(0);
    const path = join(dir, 'group.json');
    writeFileSync(path, JSON.stringify(batch(cluster)));
    const preview = JSON.parse(runCohort(['preview', path, '--json'], env).stdout) as {
      items: { runnable: boolean; study: { folder: string } | null }[];
    };
    const ready = preview.items.filter((i) => i.runnable);
    expect(ready.length).toBeGreaterThan(2);

    const run = runCohort(['run', path, '--json'], env);
    const tasks = (JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as { tasks: GridTask[] })
      .tasks;
    expect(
      tasks.filter((t) => t.state !== 'done'),
      run.stderr,
    ).toEqual([]);
    const group = tasks.filter((t) => t.item === '*');
    expect(group.map((t) => `${t.job_index}:${t.executor}`)).toEqual([`1:${cluster.engine}`]);
    const lastSize = Math.max(...tasks.filter((t) => t.job_index === 0).map((t) => t.ended_at));
    expect(group[0]!.started_at).toBeGreaterThanOrEqual(lastSize);
    const root = join(ready[0]?.study?.folder ?? '', '..', '..');
    const sizes = ready.map((i) =>
      Number(readFileSync(join(i.study?.folder ?? '', 'work/size.txt'), 'utf8')),
    );
    const total = readFileSync(join(root, 'analysis/group/total.txt'), 'utf8');
    expect(Number(total)).toBe(sizes.reduce((a, b) => a + b, 0));
    // It really ran under the scheduler.
    expect(readFileSync(join(root, 'analysis/group/cluster-job.txt'), 'utf8').trim()).toMatch(/^\d+$/);
    for (const item of ready) {
      expect(readFileSync(join(item.study?.folder ?? '', 'work/total.txt'), 'utf8')).toBe(total);
    }
  }, 300_000);
});
