import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCohort, runReport } from './helpers/cli-process.js';
import { PrivateSlurm } from './helpers/private-slurm.js';
import { tempDir } from './helpers/temp-dir.js';
import { alive } from './helpers/process-alive.js';

// Issue 21: a node that dies during a run, and a job requeued by the cluster, through the CLI against a
// real two-node Slurm with accounting of this file's own (it kills a node: the shared cluster's other
// users must not see that). SlurmdTimeout 10 s: a dead node is noticed within about 30 s.
const PORT = Number(process.env.COHORT_SLURM_FAULTS_PORT ?? 6857);
const slurm = new PrivateSlurm(process.env.COHORT_SLURM_FAULTS_DIR ?? '/var/tmp/cohort-slurm-faults', PORT, {
  COHORT_SLURM_NODES: '2',
  COHORT_SLURM_CPUS: '4',
  COHORT_SLURMD_TIMEOUT: '10',
});
const NODES = [`cohort${PORT}n1`, `cohort${PORT}n2`];

interface GridTask {
  id: number;
  item: string;
  state: string;
  executor_id: string | null;
  log_dir: string;
  error: string | null;
  exit_code: number | null;
}

function tasks(env: Record<string, string>): GridTask[] {
  return (JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as { tasks: GridTask[] }).tasks;
}

/** A study-level batch of one job on queue `queue` that prints its node, sleeps, then writes its output. */
function batch(queue: string, seconds: number): object {
  return {
    name: 'where',
    level: 'study',
    jobs: [
      {
        name: 'Where',
        language: 'bash',
        script: `echo "$SLURMD_NODENAME \${SLURM_RESTART_COUNT:-0}"\nsleep ${seconds}\necho "$SLURMD_NODENAME \${SLURM_RESTART_COUNT:-0}" > "$o1"`,
        args: [{ type: 'OUT', name: 'o1', path: 'work/node.txt', ref: { kind: 'current' }, tags: ['node'] }],
        options: { resources: { queue } },
      },
    ],
  };
}

function setup(subjects: number, queueArgs: string[] = []): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home'), ...slurm.env };
  expect(runCohort(['demo', '--subjects', String(subjects)], env).code).toBe(0);
  const queue = runCohort(
    ['queue', 'add', 'cluster', '--engine', 'slurm', '--target', 'debug', ...queueArgs],
    env,
  );
  expect(queue.code, queue.stderr).toBe(0);
  return { env, dir };
}

/** Starts `cohort run` in the background; resolves with its exit code and stdout. */
function startRun(env: Record<string, string>, path: string): Promise<{ code: number; stdout: string }> {
  const child = spawn(process.execPath, [CLI, 'run', path, '--json'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stdout })));
}

/** What a task printed first: its node and Slurm's restart count; undefined until it started. */
function startedOn(task: GridTask): string | undefined {
  try {
    return readFileSync(join(task.log_dir, 'stdout.log'), 'utf8').split('\n')[0] || undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => T | undefined, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(300);
  }
}

describe('a run on a two-node Slurm with accounting', () => {
  beforeAll(async () => {
    slurm.up();
    await slurm.clear();
  }, 600_000);
  afterAll(async () => {
    await slurm.clear();
    slurm.down();
  }, 120_000);

  it('fails the tasks of a node that died with `node failure`, finishes the rest, and reruns the failed subgroup', async () => {
    const { env, dir } = setup(4);
    const path = join(dir, 'where.json');
    writeFileSync(path, JSON.stringify(batch('cluster', 20)));
    const run = startRun(env, path);
    // Every task started, and they spread over both nodes (LLN: the least loaded node first).
    const started = await until('every task to start', () => {
      const all = tasks(env);
      return all.length > 0 && all.every((t) => startedOn(t) !== undefined) ? all : undefined;
    });
    const node = new Map(started.map((t) => [t.id, startedOn(t)!.split(' ')[0]]));
    expect(new Set(node.values())).toEqual(new Set(NODES));
    slurm.killNode(NODES[1]!);
    const { code, stdout } = await run;
    expect(code, stdout).toBe(1);
    const after = tasks(env);
    for (const t of after) {
      if (node.get(t.id) === NODES[1])
        expect(t).toMatchObject({ state: 'error', error: expect.stringMatching(/^node failure/) });
      else expect(t).toMatchObject({ state: 'done', exit_code: 0 });
    }
    slurm.up(); // the node is back
    const rerun = runCohort(['rerun', String(runReport<{ runId: number }>(stdout).runId), '--json'], env);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(runCohort(['select', 'tag:node'], env).stdout.trim().split('\n')).toHaveLength(after.length);
  }, 400_000);

  it('reads a task requeued by the administrator as queued again: not failed, one record, outputs once', async () => {
    // A queue whose jobs Slurm may requeue (Cohort submits --no-requeue unless the queue says otherwise).
    const { env, dir } = setup(1, ['--arg=--requeue']);
    const path = join(dir, 'where.json');
    writeFileSync(path, JSON.stringify(batch('cluster', 6)));
    const run = startRun(env, path);
    const [first] = await until('the task to start', () => {
      const all = tasks(env);
      return all.length > 0 && all.every((t) => startedOn(t) !== undefined) ? all : undefined;
    });
    const study = tasks(env).length;
    expect(startedOn(first!)).toMatch(/ 0$/);
    slurm.run('scontrol', 'requeue', first!.executor_id!);
    await until('the task to be queued again', () =>
      tasks(env).find((t) => t.id === first!.id && t.state === 'queued'),
    );
    // Slurm holds a requeued job back two minutes; the administrator lets it go at once.
    slurm.run('scontrol', 'update', `jobid=${first!.executor_id!}`, 'StartTime=now');
    const { code, stdout } = await run;
    expect(code, stdout).toBe(0);
    // The run's event stream never said error, and the grid holds one task, done by the second start.
    const events = stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { state?: string; previous?: string });
    expect(events.some((e) => e.state === 'error')).toBe(false);
    expect(events).toContainEqual(expect.objectContaining({ previous: 'running', state: 'queued' }));
    expect(tasks(env)).toHaveLength(study);
    expect(tasks(env)[0]).toMatchObject({ state: 'done', exit_code: 0, error: null });
    const outputs = runCohort(['select', 'tag:node'], env).stdout.trim().split('\n');
    expect(outputs).toHaveLength(1);
    expect(readFileSync(outputs[0]!, 'utf8')).toMatch(/ 1\n$/); // written by the run after the requeue
  }, 400_000);

  // The state folder in /var/tmp outlives the daemons; a later process may hold a pid a file names.
  // Taken for slurmctld, slurm-up.sh would start none, and slurm-down.sh would kill that process.
  it('a pid file naming another live process neither stops the daemons from starting nor gets that process killed', () => {
    const squatter = spawn('sleep', ['600'], { stdio: 'ignore' });
    const files = ['slurmctld.pid', ...NODES.map((n) => `slurmd-${n}.pid`)].map((f) =>
      join(slurm.dir, 'run', f),
    );
    const squat = (): void => files.forEach((file) => writeFileSync(file, `${squatter.pid}\n`));
    try {
      slurm.down();
      squat();
      slurm.up(); // returns once every node is idle: slurmctld and each slurmd were started
      expect(slurm.run('sinfo', '--noheader', '--format=%T').trim().split('\n')).toEqual(['idle']);
      slurm.down();
      squat();
      slurm.down();
      expect(alive(squatter.pid!)).toBe(true);
    } finally {
      squatter.kill('SIGKILL');
      slurm.up();
    }
  }, 300_000);
});
