import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CohortError } from '../src/errors/cohort-error.js';
import type { TaskSpec } from '../src/executors/executor.js';
import { SgeExecutor } from '../src/executors/sge/sge-executor.js';
import { hasEnded } from '../src/executors/wait-for.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * SGE's max_u_jobs on a cluster of its own (scripts/cluster/sge-up.sh with COHORT_SGE_DIR and its own
 * port, so the shared cell keeps its configuration): a submission of more jobs than the limit leaves
 * room for is throttled (submitted as jobs leave), never refused up front or halfway; one that finds
 * no room in time is undone whole.
 */
const SCRIPTS = fileURLToPath(new URL('../scripts/cluster/', import.meta.url));
const STATE = '/var/tmp/cohort-sge-job-limit';
const PORT = 6972;
const LIMIT = 2;
const root = mkdtempSync(join(tmpdir(), 'cohort-sge-limit-'));
const env = { ...process.env, COHORT_SGE_DIR: STATE, COHORT_SGE_PORT: String(PORT) };
const sgeEnv = {
  SGE_ROOT: join(STATE, 'root'),
  SGE_CELL: 'default',
  SGE_QMASTER_PORT: String(PORT),
  SGE_EXECD_PORT: String(PORT + 1),
};
const run = (program: string, ...args: string[]): string =>
  execFileSync(`/usr/lib/gridengine/${program}`, args, {
    env: { ...process.env, ...sgeEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Sets one attribute of this cluster's global configuration (qconf -Mconf takes a file named `global`). */
function setGlobal(name: string, value: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-sge-conf-'));
  const conf = run('qconf', '-sconf', 'global')
    .split('\n')
    .filter((line) => !line.startsWith(`${name} `))
    .join('\n');
  writeFileSync(join(dir, 'global'), `${conf.trimEnd()}\n${name} ${value}\n`);
  try {
    run('qconf', '-Mconf', join(dir, 'global'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(() => {
  execFileSync('bash', [join(SCRIPTS, 'sge-up.sh')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  setGlobal('max_u_jobs', String(LIMIT));
}, 900_000);

afterAll(() => {
  try {
    run('qdel', '-f', '-u', '*');
  } catch {
    // nothing left
  }
  execFileSync('bash', [join(SCRIPTS, 'sge-down.sh')], { env, stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
}, 120_000);

let count = 0;
/** A task of its own job: distinct array keys keep tasks from sharing an array. */
function task(script: string): TaskSpec {
  const dir = join(root, `t${++count}`);
  mkdirSync(dir, { recursive: true });
  return {
    taskId: `limit-t${count}`,
    argv: ['/bin/sh', '-c', script],
    env: { PATH: '/usr/bin:/bin' },
    cwd: dir,
    logDir: join(dir, 'log'),
    resources: {},
    after: [],
    arrayKey: `job${count}`,
  };
}

async function ended(executor: SgeExecutor, ids: readonly string[], ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const statuses = await executor.status(ids);
    const states = ids.map((id) => statuses.get(id)?.state ?? 'unknown');
    if (ids.every((id) => hasEnded(statuses.get(id) ?? { state: 'unknown' })) || Date.now() > deadline)
      return states;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('SGE max_u_jobs', () => {
  it(`submits ${LIMIT * 3} jobs under a limit of ${LIMIT} as room appears, and every one runs`, async () => {
    const executor = new SgeExecutor({
      stateDir: join(root, 'state'),
      env: sgeEnv,
    });
    const specs = Array.from({ length: LIMIT * 3 }, (_, i) => task(`echo ${i} > out`));
    let most = 0;
    // Count this user's jobs while the submission runs: never more than the limit.
    const watch = setInterval(() => {
      const jobs = new Set([...run('qstat', '-xml').matchAll(/<JB_job_number>(\d+)</g)].map((m) => m[1]))
        .size;
      most = Math.max(most, jobs);
    }, 300);
    const ids = await executor.submit(specs).finally(() => clearInterval(watch));
    expect(ids).toHaveLength(specs.length);
    expect(executor.commands.counts.get('qsub')).toBe(specs.length);
    expect(most).toBeLessThanOrEqual(LIMIT);
    expect(await ended(executor, ids, 120_000)).toEqual(specs.map(() => 'done'));
    specs.forEach((spec, i) => expect(readFileSync(join(spec.cwd, 'out'), 'utf8')).toBe(`${i}\n`));
  }, 240_000);

  it('undoes a submission that finds no room in time (queues disabled: nothing leaves)', async () => {
    run('qmod', '-d', '*');
    try {
      const executor = new SgeExecutor({ stateDir: join(root, 'state'), env: sgeEnv, queueFullWaitMs: 3000 });
      const specs = Array.from({ length: LIMIT + 1 }, () => task('true'));
      const error = await executor.submit(specs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CohortError);
      expect((error as CohortError).code).toBe('NOT_AVAILABLE');
      expect((error as CohortError).message).toMatch(/max_u_jobs/);
      // All or nothing: the jobs it had submitted are deleted.
      await waitUntil(
        'the deleted jobs to leave qstat',
        () => !/<JB_job_number>/.test(run('qstat', '-xml')),
        30_000,
        500,
      );
    } finally {
      run('qmod', '-e', '*');
    }
  }, 120_000);
});
