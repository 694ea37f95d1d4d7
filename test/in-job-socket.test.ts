import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeJobRequest, type JobRequest } from '../src/runs/job-socket/job-request.js';
import { runCohort, type CliRun } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { waitUntil } from './helpers/wait-until.js';
import { writeTree } from './helpers/write-tree.js';

/**
 * The job's `cohort` (libexec/cohort-client.c through the shim in $COHORT_HOME/bin) answered by the
 * process that owns the run over its socket, against the same commands through the Node CLI it falls
 * back to. Needs `npm run build` (the client is built by scripts/build-launcher.sh).
 */

const STUDIES = { 'P001/20200101/t1/s.nii': 'a', 'P002/20200301/t1/s.nii': 'b' };

/** Every kind of in-job call a script makes, with awkward names, relative paths and failures. */
const CALLS = String.raw`
out="$CAPTURE/$COHORT_PROJECT-${'$'}{COHORT_ITEM%%#*}"
# The fallback run: with its socket gone, each call must start the Node CLI instead.
[ "$COHORT_PROJECT" = beta ] && rm -f "$COHORT_SOCKET"
d=$(dirname "$o1"); mkdir -p "$d"
for f in "$o1" "$d/with space.nii" "$d/q'uo\"te.nii" "$d/\$(touch pwned).nii" "$d/é ✓ 漢.nii"; do echo x > "$f"; done
{
  cohort add "$o1" "$d/with space.nii" --tag out; echo "rc=$?"
  (cd "$d" && cohort add "./q'uo\"te.nii" '$(touch pwned).nii' 'é ✓ 漢.nii' --tag rel); echo "rc=$?"
  cohort add "$d/missing file.nii" --tag out; echo "rc=$?"
  cohort add "$d"; echo "rc=$?"
  cohort add "$o1" --tag 'bad tag'; echo "rc=$?"
  cohort select 'tag:rel'; echo "rc=$?"
  cohort tag add checked "$COHORT_STUDY"; echo "rc=$?"
  cohort record n_files 5; echo "rc=$?"
  cohort add --project elsewhere "$o1"; echo "rc=$?"
  cohort select --bogus; echo "rc=$?"
} > "$out.out" 2> "$out.err"
COHORT_CLIENT_TRACE=1 cohort select 'tag:out' > /dev/null 2> "$out.trace"
`;

function batch(script: string, options?: object): object {
  return {
    name: 'calls',
    level: 'study',
    jobs: [
      {
        name: 'Calls',
        language: 'bash',
        script,
        args: [{ type: 'OUT', name: 'o1', path: "res/o $(x) 'q' é.nii", ref: { kind: 'current' } }],
        ...(options === undefined ? {} : { options }),
      },
    ],
  };
}

interface Setup {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly capture: string;
  readonly roots: Record<'alpha' | 'beta', string>;
}

function setup(): Setup {
  const dir = tempDir();
  const capture = join(dir, 'capture');
  writeTree(capture, { '.keep': '' });
  const env = { COHORT_HOME: join(dir, 'home'), CAPTURE: capture };
  const roots = { alpha: join(dir, 'alpha'), beta: join(dir, 'beta') };
  for (const [name, root] of Object.entries(roots)) {
    writeTree(root, STUDIES);
    const created = runCohort(['create', name, root], env);
    expect(created.code, created.stderr).toBe(0);
  }
  return { dir, env, capture, roots };
}

describe("in-job commands through the run owner's socket", () => {
  it('change the catalog and print exactly as the Node CLI they fall back to', () => {
    const { dir, env, capture, roots } = setup();
    const file = join(dir, 'calls.json');
    writeFileSync(file, JSON.stringify(batch(CALLS)));
    for (const project of ['alpha', 'beta']) {
      const run = runCohort(['run', file, '*', '--project', project], env);
      expect(run.code, run.stderr + run.stdout).toBe(0);
    }
    // The same text once each project's root and name are written alike.
    const same = (project: 'alpha' | 'beta', text: string): string =>
      text.replaceAll(roots[project], '<root>').replaceAll(`'${project}'`, '<project>');
    for (const subject of ['P001', 'P002']) {
      const read = (project: string, ext: string): string =>
        readFileSync(join(capture, `${project}-${subject}.${ext}`), 'utf8');
      expect(read('alpha', 'trace')).toBe("cohort-client: answered by the run's owner\n");
      expect(read('beta', 'trace')).toBe('cohort-client: Node CLI (No such file or directory)\n');
      const fast = { out: same('alpha', read('alpha', 'out')), err: same('alpha', read('alpha', 'err')) };
      const slow = { out: same('beta', read('beta', 'out')), err: same('beta', read('beta', 'err')) };
      expect(fast).toEqual(slow);
      expect(fast.out.match(/rc=\d/g)).toEqual([
        'rc=0',
        'rc=0',
        'rc=1',
        'rc=1',
        'rc=2',
        'rc=0',
        'rc=0',
        'rc=0',
        'rc=2',
        'rc=2',
      ]);
      expect(fast.out).toContain(`added <root>/${subject}/`);
      expect(fast.out).toContain('/res/$(touch pwned).nii\n');
      expect(fast.out).toContain('/res/q\'uo"te.nii\n');
      expect(fast.out).toContain('/res/é ✓ 漢.nii\n');
      expect(fast.err).toContain('/res/missing file.nii does not exist.');
      expect(fast.err).toContain("Inside a job of project <project>, project 'elsewhere' is not reachable.");
    }
    // Names reached no shell: no `$(touch pwned)` ran anywhere.
    for (const root of Object.values(roots))
      expect(existsSync(join(root, 'P001/20200101/res/pwned'))).toBe(false);
    // The catalog rows: files, tags and measures of both projects, alike (but the files' times).
    const exported = (project: 'alpha' | 'beta'): string => {
      const out = runCohort(['export', '*', '--project', project], env);
      expect(out.code, out.stderr).toBe(0);
      return same(project, out.stdout.replace(/^.*:mtime\t.*\n/gm, ''));
    };
    expect(exported('alpha')).toContain('rel');
    expect(exported('alpha')).toBe(exported('beta'));
  });

  it('pins a job credential to its run and project, and answers many tasks adding at once', async () => {
    const { dir, env, capture, roots } = setup();
    const file = join(dir, 'wait.json');
    // One task that hands its environment to the test and stays until released: the run stays owned.
    const wait = `env | grep '^COHORT_' > "$CAPTURE/env.tmp" && mv "$CAPTURE/env.tmp" "$CAPTURE/env"
while [ ! -e "$CAPTURE/release" ]; do sleep 0.1; done`;
    writeFileSync(file, JSON.stringify(batch(wait)));
    const started = runCohort(['run', file, 'P001', '--no-wait', '--project', 'alpha'], env);
    expect(started.code, started.stderr).toBe(0);
    const envFile = join(capture, 'env');
    await waitUntil(
      'the task to start',
      () => existsSync(envFile),
      30_000,
      100,
      () => [runCohort(['grid', '--all'], env).stdout, started.stdout].join('\n'),
    );
    const job = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const socket = job.COHORT_SOCKET ?? '';
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const shim = join(dir, 'home', 'bin', 'cohort');
    const jobEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...job, COHORT_CLIENT_TRACE: '1' };

    // Many at once: 40 processes, each its own file, none lost and none refused.
    const many = Array.from({ length: 40 }, (_, i) => `P001/20200101/many/f ${i} é.nii`);
    writeTree(roots.alpha, Object.fromEntries(many.map((f) => [f, f])));
    const added = await Promise.all(
      many.map((f) => spawned(shim, ['add', join(roots.alpha, f), '--tag', 'many'], jobEnv)),
    );
    for (const [i, result] of added.entries()) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`added ${join(roots.alpha, many[i] ?? '')}\n`);
      expect(result.stderr).toBe("cohort-client: answered by the run's owner\n");
    }
    const selected = runCohort(['select', 'tag:many', '--project', 'alpha'], env);
    expect(selected.stdout.trim().split('\n').sort()).toEqual(many.map((f) => join(roots.alpha, f)).sort());

    // Another project through the socket: the owner runs it, and the CLI's pin refuses it.
    const other = join(roots.beta, 'P001/20200101/t1/s.nii');
    const pinned = await spawned(shim, ['add', '--project', 'beta', other], jobEnv);
    expect(pinned.code).toBe(2);
    expect(pinned.stderr).toBe(
      "error: Inside a job of project 'alpha', project 'beta' is not reachable.\n  hint: A job works on its own project only; drop --project.\ncohort-client: answered by the run's owner\n",
    );
    // A request claiming another project, or without this run's credential, is not answered at all.
    const request = (env: Record<string, string>): JobRequest => ({ cwd: dir, env, argv: ['add', other] });
    const claimed = { ...job, COHORT_PROJECT: 'beta', COHORT_JOB_PROJECT: 'beta' };
    expect(await ask(socket, request(claimed))).toEqual({ refused: "not this run's project" });
    expect(await ask(socket, request({ ...job, COHORT_TOKEN: 'cohj_forged' }))).toEqual({
      refused: "not this run's job credential",
    });
    const { COHORT_TOKEN: _token, ...tokenless } = job;
    expect(await ask(socket, request(tokenless))).toEqual({ refused: "not this run's job credential" });
    expect(runCohort(['files', '*', '--project', 'beta'], env).stdout).not.toContain('many');
    const forged = await spawned(shim, ['select', '*'], { ...jobEnv, COHORT_TOKEN: 'cohj_forged' });
    expect(forged.stderr).toBe("cohort-client: Node CLI (not this run's job credential)\n");

    // The run ends: its owner closes the socket, and the job's `cohort` goes back to Node.
    writeFileSync(join(capture, 'release'), '');
    await waitUntil('the run to end and its socket to close', () => !existsSync(socket), 30_000, 100);
  });

  it('is not offered to a sandboxed job, whose own writes the sandbox limits', () => {
    const { dir, env, roots } = setup();
    const file = join(dir, 'fenced.json');
    const script = `COHORT_CLIENT_TRACE=1 cohort select 'P001' 'file:t1/*' > "$o1" 2>&1`;
    writeFileSync(file, JSON.stringify(batch(script, { isolation: { kind: 'sandbox' } })));
    const run = runCohort(['run', file, 'P001', '--project', 'alpha'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(readFileSync(join(roots.alpha, "P001/20200101/res/o $(x) 'q' é.nii"), 'utf8')).toBe(
      `cohort-client: Node CLI (No such file or directory)\n${join(roots.alpha, 'P001/20200101/t1/s.nii')}\n`,
    );
  });
});

/** Runs a program without waiting synchronously: the run's owner is another process, but many run at once. */
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

/** One request over the socket, as the C client sends it; the parsed answer. */
function ask(path: string, request: JobRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let text = '';
    conn.on('data', (d: Buffer) => (text += d.toString()));
    conn.on('error', reject);
    conn.on('end', () => resolve(JSON.parse(text)));
    conn.write(encodeJobRequest(request));
  });
}
