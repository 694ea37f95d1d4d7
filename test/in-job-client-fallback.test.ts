import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cohortClientPath } from '../src/runs/task-environment.js';
import { runCohort, type CliRun } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { waitUntil } from './helpers/wait-until.js';
import { writeTree } from './helpers/write-tree.js';
import { alive } from './helpers/process-alive.js';

/**
 * The job's `cohort` when its fast path is not there: the native client cannot start (missing, not
 * executable, built for another architecture), or the run's socket is stale (its owner was killed).
 * Either way the Node CLI must run the command with the same arguments, and soon. Real jobs of the
 * local executor, with the shim Cohort wrote. Needs `npm run build` (it builds the client).
 */

const NODE_FALLBACK = 'cohort-client: Node CLI (the client cannot start here)\n';

/**
 * Copies of the job's own shim pointing at a client that cannot start, each called with a name the
 * shell must not read: quotes, `$()`, spaces, unicode. Results go to $CAPTURE/KIND.{out,err}.
 */
const BROKEN_CLIENTS = String.raw`
set -u
shim=$(command -v cohort)
bad="$PWD/bad client ✓"
mkdir -p "$bad"
cp "$CLIENT" "$bad/noexec" && chmod 644 "$bad/noexec"
# Another architecture: the ELF header's e_machine (offset 18) set to 2 (SPARC).
cp "$CLIENT" "$bad/foreign" && printf '\002\000' | dd of="$bad/foreign" bs=1 seek=18 conv=notrunc 2>/dev/null
d=$(dirname "$o1"); mkdir -p "$d"
COHORT_CLIENT_TRACE=1 cohort select "$COHORT_STUDY" 2> "$CAPTURE/real.err" > /dev/null
for kind in missing noexec foreign; do
  text=$(cat "$shim")
  printf '%s\n' "${'$'}{text//"$CLIENT"/"$bad/$kind"}" > "$bad/cohort-$kind"
  chmod +x "$bad/cohort-$kind"
  f="$d/$kind q'uo\"te \$(touch pwned) é.nii"; echo x > "$f"
  COHORT_CLIENT_TRACE=1 "$bad/cohort-$kind" add "$f" --tag "$kind" > "$CAPTURE/$kind.out" 2> "$CAPTURE/$kind.err"
  echo "rc=$?" >> "$CAPTURE/$kind.out"
done
echo ok > "$o1"
`;

function batch(script: string): object {
  return {
    name: 'fallback',
    level: 'study',
    jobs: [
      {
        name: 'Fallback',
        language: 'bash',
        script,
        args: [{ type: 'OUT', name: 'o1', path: 'res/o.nii', ref: { kind: 'current' } }],
      },
    ],
  };
}

function setup(): { dir: string; env: Record<string, string>; capture: string; root: string } {
  const dir = tempDir();
  const capture = join(dir, 'capture');
  const root = join(dir, 'proj');
  writeTree(capture, { '.keep': '' });
  writeTree(root, { 'P001/20200101/t1/s.nii': 'a' });
  const env = { COHORT_HOME: join(dir, 'home'), CAPTURE: capture, CLIENT: cohortClientPath() };
  const created = runCohort(['create', 'proj', root], env);
  expect(created.code, created.stderr).toBe(0);
  return { dir, env, capture, root };
}

describe("the job's cohort without its fast path", () => {
  it('falls back to the Node CLI, arguments intact, when the client cannot start', () => {
    const { dir, env, capture, root } = setup();
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(batch(BROKEN_CLIENTS)));
    const run = runCohort(['run', file, '*'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // The shim as written still takes the fast path where the client starts.
    expect(readFileSync(join(capture, 'real.err'), 'utf8')).toBe(
      "cohort-client: answered by the run's owner\n",
    );
    const res = join(root, 'P001/20200101/res');
    for (const kind of ['missing', 'noexec', 'foreign']) {
      const path = join(res, `${kind} q'uo"te $(touch pwned) é.nii`);
      expect(readFileSync(join(capture, `${kind}.err`), 'utf8')).toBe(NODE_FALLBACK);
      expect(readFileSync(join(capture, `${kind}.out`), 'utf8')).toBe(`added ${path}\nrc=0\n`);
      expect(runCohort(['select', `tag:${kind}`], env).stdout).toBe(`${path}\n`);
    }
    expect(existsSync(join(res, 'pwned'))).toBe(false);
  });

  it("falls back at once when the run's owner was killed and left its socket behind", async () => {
    const { dir, env, capture, root } = setup();
    const file = join(dir, 'wait.json');
    const wait = `env | grep '^COHORT_' > "$CAPTURE/env.tmp" && mv "$CAPTURE/env.tmp" "$CAPTURE/env"
while [ ! -e "$CAPTURE/release" ]; do sleep 0.1; done; echo ok > "$o1"`;
    writeFileSync(file, JSON.stringify(batch(wait)));
    const started = runCohort(['run', file, '*', '--no-wait', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { runId, runner } = JSON.parse(started.stdout) as { runId: number; runner: number };
    await waitUntil('the task to start', () => existsSync(join(capture, 'env')), 30_000, 100);
    const job = Object.fromEntries(
      readFileSync(join(capture, 'env'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const socket = job.COHORT_SOCKET ?? '';
    expect(statSync(socket).isSocket()).toBe(true);

    process.kill(runner, 'SIGKILL');
    await waitUntil('the runner to die', () => !alive(runner), 30_000, 100);
    expect(statSync(socket).isSocket()).toBe(true); // stale: nobody listens
    const shim = join(dir, 'home', 'bin', 'cohort');
    const jobEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...job, COHORT_CLIENT_TRACE: '1' };
    const added = join(root, 'P001/20200101/t1/s.nii');
    const t0 = Date.now();
    const result = await spawned(shim, ['add', added, '--tag', 'stale'], jobEnv);
    const elapsed = Date.now() - t0;
    expect(result.stderr).toContain('cohort-client: Node CLI (Connection refused)\n');
    expect(result.code, result.stderr).toBe(0);
    expect(runCohort(['select', 'tag:stale'], env).stdout).toBe(`${added}\n`);
    // A refused connection costs nothing: the time is the Node CLI's start (well under a second
    // unloaded); 10 s leaves room for a loaded machine while a hang would show.
    expect(elapsed).toBeLessThan(10_000);

    writeFileSync(join(capture, 'release'), '');
    const resumed = runCohort(['resume', '--run', String(runId)], env);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
  }, 60_000);
});

/** Runs a program without blocking the test's event loop. */
function spawned(program: string, args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
