import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `cohort debug` on real Slurm and SGE (scripts/cluster/*-up.sh, loopback): the notebook task goes to
// the job's queue, runs headless there with the same outputs, and serves Jupyter from the node.

const CLUSTERS = [
  { engine: 'slurm', up: 'slurm-up.sh', target: 'debug' },
  { engine: 'sge', up: 'sge-up.sh', target: 'all.q' },
] as const;

const JOB = {
  name: 'Digest on the cluster',
  language: 'python',
  script: 'import hashlib\nopen($o1, "w").write(hashlib.sha256(open($f1, "rb").read()).hexdigest())\n',
  args: [
    {
      type: 'FILE',
      name: 'f1',
      patterns: ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz'],
      ref: { kind: 'current' },
    },
    { type: 'OUT', name: 'o1', path: 'debug/digest.txt', ref: { kind: 'current' }, tags: ['digest'] },
  ],
  // No memory limit: SGE enforces it on virtual memory, which Node (the in-job CLI) reserves plenty of.
  options: { resources: { queue: 'cluster' } },
};

interface Shown {
  state: string;
  executor: string;
  notebookUrl?: string;
}

describe.each(CLUSTERS)('cohort debug on $engine', (cluster) => {
  beforeAll(() => {
    const up = fileURLToPath(new URL(`../scripts/cluster/${cluster.up}`, import.meta.url));
    execFileSync('bash', [up], { stdio: 'pipe' });
  }, 300_000);

  it('runs the notebook headless on the job queue with the same output, then serves it there', async () => {
    const dir = tempDir();
    const env = { COHORT_HOME: join(dir, 'home') };
    expect(runCohort(['demo', '--subjects', '1'], env).code).toBe(0);
    const queue = [
      'queue',
      'add',
      'cluster',
      '--engine',
      cluster.engine,
      '--target',
      cluster.target,
      '--time',
      '5',
    ];
    expect(runCohort(queue, env).code).toBe(0);
    const batch = join(dir, 'b.json');
    writeFileSync(batch, JSON.stringify({ name: 'b', level: 'study', jobs: [JOB] }));
    const run = runCohort(['run', batch, 'P001#OLDEST', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const task = runReport<{ tasks: Array<{ id: number }> }>(run.stdout).tasks[0]?.id ?? 0;
    const [output] = runCohort(['select', 'tag:digest'], env).stdout.trim().split('\n') as [string];
    const digest = readFileSync(output, 'utf8');
    rmSync(output);

    const executed = runCohort(['debug', String(task), '--execute', '--json'], env);
    expect(executed.code, executed.stderr + executed.stdout).toBe(0);
    const { taskId: headless } = JSON.parse(executed.stdout) as { taskId: number };
    const shownHeadless = JSON.parse(
      runCohort(['grid', 'show', String(headless), '--json'], env).stdout,
    ) as Shown;
    expect(shownHeadless.executor).toBe(cluster.engine);
    expect(readFileSync(output, 'utf8')).toBe(digest);

    const served = runCohort(['debug', String(task), '--json'], env);
    expect(served.code, served.stderr + served.stdout).toBe(0);
    const { url, taskId: server } = JSON.parse(served.stdout) as { url: string; taskId: number };
    const parsed = new URL(url);
    // Served from the node for browsers elsewhere: the node's name, not loopback. The test clusters'
    // nodes all run on this machine; SGE's second one (sge-up.sh) under a name and address of its own.
    const node = parsed.hostname.split('.')[0] ?? '';
    expect(node === hostname().split('.')[0] || node.startsWith('sge-node2'), node).toBe(true);
    const api = `http://${parsed.host}/cohort/task-${server}/api/contents/notebook.ipynb`;
    expect((await fetch(`${api}?token=${parsed.searchParams.get('token') ?? ''}`)).status).toBe(200);
    expect((await fetch(api)).status).toBe(403);
    expect(runCohort(['grid', 'kill', String(server)], env).code).toBe(0);
    await expect
      .poll(
        () => (JSON.parse(runCohort(['grid', 'show', String(server), '--json'], env).stdout) as Shown).state,
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBe('killed');
  }, 300_000);
});
