import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../src/catalog/catalog.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { resolveToken } from '../src/users/api-tokens.js';
import { CLI, runCohort, type CliRun } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

// Issue 10's reproductions through the built CLI: each bad input or fault gets one `error:` line and a
// `hint:` line (never a stack trace) and exit code 1 or 2, or does the right thing.

const CLI_UNPRIVILEGED = new URL('./helpers/cli-unprivileged.mjs', import.meta.url).pathname;
const PASSWORD = 'correct horse battery';
const NOBODY = 65534;

function demo(subjects = 2): { dir: string; home: string; env: Record<string, string> } {
  const dir = tempDir();
  const home = join(dir, 'home');
  const env = { COHORT_HOME: home };
  const run = runCohort(['demo', '--subjects', String(subjects)], env);
  expect(run.code, run.stderr).toBe(0);
  return { dir, home, env };
}

/** One error line and one hint line, nothing else (no stack, no source dump). */
function expectClearError(run: CliRun, code: 1 | 2, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(/^error: [^\n]+\n {2}hint: [^\n]+\n$/);
  expect(run.stderr).toMatch(message);
}

describe('item 2: project roots', () => {
  it('refuses a root containing COHORT_HOME or overlapping another project', () => {
    const { dir, home, env } = demo();
    expectClearError(runCohort(['create', 'outer', home], env), 2, /contains Cohort's own folder/);
    expectClearError(runCohort(['create', 'outer', dir], env), 2, /contains Cohort's own folder/);
    expectClearError(
      runCohort(['create', 'inner', join(home, 'demo', 'P001')], env),
      2,
      /inside the root of project 'demo'/,
    );
    writeTree(join(dir, 'data'), { 'S1/20200101/t1/a.nii': 'x' });
    expect(runCohort(['create', 'data', join(dir, 'data')], env).code).toBe(0);
  });
});

describe('item 5: a new password revokes API tokens', () => {
  it('revokes by default and keeps them with --keep-tokens', () => {
    const { home, env } = demo(1);
    expect(runCohort(['user', 'add', 'ana'], env, { input: `${PASSWORD}\n` }).code).toBe(0);
    const token = (): string => runCohort(['token', 'create', '--user', 'ana'], env).stdout.trim();
    const valid = (secret: string): boolean => {
      const catalog = openCatalog(resolveConfig({ home }, {}), { create: false });
      try {
        return resolveToken(catalog.db, secret) !== undefined;
      } finally {
        catalog.close();
      }
    };
    const first = token();
    const changed = runCohort(['user', 'password', 'ana'], env, { input: 'another long password\n' });
    expect(changed.stdout, changed.stderr).toContain('1 API token(s) revoked');
    expect(valid(first)).toBe(false);
    const second = token();
    expect(
      runCohort(['user', 'password', 'ana', '--keep-tokens'], env, { input: 'a third long password\n' }).code,
    ).toBe(0);
    expect(valid(second)).toBe(true);
  });
});

describe('item 6: file modes', () => {
  it('makes COHORT_HOME 0700 and the database 0600, and narrows an existing open one', () => {
    const { home, env } = demo(1);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const db = join(home, 'cohort.db');
    expect(statSync(db).mode & 0o777).toBe(0o600);
    chmodSync(db, 0o644);
    chmodSync(home, 0o755);
    expect(runCohort(['subjects'], env).code).toBe(0);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});

describe('item 7: clear errors', () => {
  it('garbage, truncated and empty databases', () => {
    const { dir, home, env } = demo(3);
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    expectClearError(runCohort(['subjects', '--db', garbage], env), 1, /damaged or not a database/);
    const truncated = join(dir, 'truncated.db');
    writeFileSync(truncated, readFileSync(join(home, 'cohort.db')));
    truncateSync(truncated, 8192);
    // item 8: tag add on a damaged database fails, it does not exit 0.
    expectClearError(runCohort(['tag', 'add', 'x', 'P001', '--db', truncated], env), 1, /damaged/);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expectClearError(runCohort(['subjects', '--db', empty], env), 1, /No catalog database .*empty/);
  });

  it('a read-only COHORT_HOME', () => {
    const { home } = demo(1);
    // Root writes anywhere: as root the command runs as nobody, owner of the read-only home.
    if (process.getuid?.() === 0) {
      for (const name of ['', ...readdirSync(home)]) chownSync(join(home, name), NOBODY, NOBODY);
    }
    chmodSync(home, 0o500);
    const run = spawnSync(process.execPath, [CLI_UNPRIVILEGED, 'subjects'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', COHORT_HOME: home },
    });
    chmodSync(home, 0o700);
    expectClearError({ code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr }, 1, /write access/);
  });

  it('a reader that closes the pipe early (`cohort files P001 | head -3`)', async () => {
    const { env } = demo(3);
    const child = spawn(process.execPath, [CLI, 'files', 'P001'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Close the reading end at once, like a `head` that has had enough: every write of the command
    // then meets a closed pipe (waiting for a first chunk would let short output slip through whole).
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('serve on a port in use', async () => {
    const { env } = demo(1);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const run = runCohort(['serve', '--port', String(port)], env, { timeout: 30_000 });
      expectClearError(run, 1, new RegExp(`Port ${port} on 127.0.0.1 is already in use`));
    } finally {
      holder.close();
    }
  });

  it('a 50,000-character pattern and a filter of 1,000 terms', () => {
    const { env } = demo(1);
    const long = 'a'.repeat(50_000);
    for (const args of [
      ['files', 'P001', '--pattern', long],
      ['select', `file:${long}`],
      ['subjects', `${long}/x`],
    ]) {
      const run = runCohort(args, env);
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr).toMatch(/too long \(at most 4096\)/);
      expect(run.stderr.length).toBeLessThan(2000);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const terms = Array.from({ length: 1000 }, (_, i) => `P${String(i).padStart(3, '0')}`);
    expectClearError(runCohort(['subjects', terms.join(' ')], env), 2, /Too many terms: 1000/);
    expectClearError(runCohort(['studies', terms.join(' & ')], env), 2, /Too many terms: 1000/);
    expectClearError(runCohort(['select', ...terms], env), 2, /Too many terms: 1000/);
  });
});

describe('item 8: only create, demo and import-dicom make a catalog', () => {
  it('refuses a mistyped --db instead of starting an empty catalog there', () => {
    const { dir, env } = demo(1);
    const typo = join(dir, 'cohrot.db');
    for (const args of [['subjects'], ['tag', 'add', 'x', 'P001'], ['user', 'list'], ['queue', 'list']]) {
      expectClearError(runCohort([...args, '--db', typo], env), 1, /No catalog database at .*cohrot\.db/);
    }
    expect(existsSync(typo)).toBe(false);
    expect(runCohort(['subjects'], { COHORT_HOME: join(dir, 'fresh') }).code).toBe(1);
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
  });
});

describe('item 9: quiet wrong answers', () => {
  it('says so on stderr when nothing matched', () => {
    const { env } = demo(1);
    const select = runCohort(['select', 'P999'], env);
    expect(select).toMatchObject({ code: 0, stdout: '' });
    expect(select.stderr).toMatch(/Nothing matched P999/);
    const tag = runCohort(['tag', 'add', 'x', 'P999'], env);
    expect(tag.stderr).toMatch(/Nothing matched P999: no study was tagged/);
  });

  it('refuses an unknown library job in preview and run, and --units 0', () => {
    const { dir, env } = demo(1);
    const batch = join(dir, 'unknown.json');
    writeFileSync(
      batch,
      JSON.stringify({ name: 'u', level: 'study', jobs: [{ name: 'x', library: 'no-such-job', args: [] }] }),
    );
    expectClearError(runCohort(['preview', batch], env), 1, /No predefined job 'no-such-job'/);
    expectClearError(runCohort(['run', batch], env), 1, /No predefined job 'no-such-job'/);
    const qc = new URL('../examples/demo-qc.json', import.meta.url).pathname;
    for (const units of ['0', '-1', '2.5', 'x']) {
      expectClearError(
        runCohort(['run', qc, '--mode', 'n-units', '--units', units, '--no-wait'], env),
        2,
        /--units must be a whole number/,
      );
    }
    const grid = JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as { tasks: unknown[] };
    expect(grid.tasks).toEqual([]);
  });

  it('runs the help example `cohort grid --state error --sort -updated`', () => {
    const { env } = demo(1);
    expect(runCohort(['grid', '--help'], env).stdout).toContain('--sort -updated');
    const run = runCohort(['grid', '--state', 'error', '--sort', '-updated'], env);
    expect(run.code, run.stderr).toBe(0);
  });
});

describe('item 14: the Python interpreter is a setting, not the first python3 on PATH', () => {
  it('runs Python jobs with /usr/bin/python3 past a broken shim, or with the queue’s interpreter', () => {
    const { dir, env } = demo(1);
    // A version manager's shim first on PATH, without the job's packages: it must not be used.
    writeTree(join(dir, 'shims'), { python3: '#!/bin/sh\necho "shim: no nibabel here" >&2\nexit 9\n' });
    writeTree(join(dir, 'venv'), {
      python3: `#!/bin/sh\necho used >> '${join(dir, 'venv-used')}'\nexec /usr/bin/python3 "$@"\n`,
    });
    chmodSync(join(dir, 'shims', 'python3'), 0o755);
    chmodSync(join(dir, 'venv', 'python3'), 0o755);
    const shimmed = { ...env, PATH: `${join(dir, 'shims')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const qc = new URL('../examples/demo-qc.json', import.meta.url).pathname;
    const preview = runCohort(['preview', qc, 'P001'], shimmed);
    expect(preview.stdout).toContain("Python job 'T1 header' runs with /usr/bin/python3 (queue local).");
    const run = runCohort(['run', qc, 'P001#OLDEST'], shimmed, { timeout: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);

    expect(
      runCohort(['queue', 'add', 'venv', '--engine', 'local', '--python', join(dir, 'venv', 'python3')], env)
        .code,
    ).toBe(0);
    const again = runCohort(['run', qc, 'P001#LATEST', '--queue', 'venv'], shimmed, { timeout: 120_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'venv-used'), 'utf8')).toContain('used');
  }, 240_000);
});

describe('item 9: grid hold of a running task', () => {
  it('says it is too late and exits 1 instead of "hold requested"', async () => {
    const { dir, env } = demo(1);
    const batch = join(dir, 'sleep.json');
    writeFileSync(
      batch,
      JSON.stringify({
        name: 'sleeper',
        level: 'study',
        jobs: [{ name: 'Sleep', language: 'bash', script: 'sleep 60', args: [] }],
      }),
    );
    expect(runCohort(['run', batch, 'P001#OLDEST', '--no-wait'], env).code).toBe(0);
    const running = async (): Promise<number | undefined> => {
      for (let i = 0; i < 300; i++) {
        const grid = JSON.parse(runCohort(['grid', '--json'], env).stdout) as {
          tasks: { id: number; state: string }[];
        };
        const task = grid.tasks.find((t) => t.state === 'running');
        if (task !== undefined) return task.id;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    };
    const id = await running();
    expect(id).toBeDefined();
    const hold = runCohort(['grid', 'hold', String(id)], env);
    expect(hold.code).toBe(1);
    expect(hold.stdout + hold.stderr).toMatch(/running, too late to hold/);
    expect(runCohort(['grid', 'kill', String(id)], env).code).toBe(0);
  }, 120_000);
});

describe('item 13: one place for the user library', () => {
  const mine = {
    id: 'mine/copy',
    name: 'Copy',
    command: ['cp', '{f1}', '{o1}'],
    args: [
      { type: 'FILE', name: 'f1', patterns: ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'] },
      { type: 'OUT', name: 'o1', path: 'copy/t1.nii' },
    ],
  };
  const batch = {
    name: 'c',
    level: 'study',
    jobs: [
      {
        name: 'Copy',
        library: 'mine/copy',
        args: mine.args.map((a) => ({ ...a, ref: { kind: 'current' } })),
      },
    ],
  };

  it('reads $COHORT_HOME/library, or COHORT_LIBRARY, for preview and run alike', () => {
    const { dir, home, env } = demo(1);
    const file = join(dir, 'batch.json');
    writeFileSync(file, JSON.stringify(batch));
    expectClearError(runCohort(['preview', file], env), 1, /No predefined job 'mine\/copy'/);
    writeTree(join(home, 'library'), { 'mine/copy.json': JSON.stringify(mine) });
    const preview = runCohort(['preview', file], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/ready/);
    const run = runCohort(['run', file, 'P001#OLDEST'], env, { timeout: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // COHORT_LIBRARY moves it: the home's library is then not read.
    const moved = { ...env, COHORT_LIBRARY: join(dir, 'elsewhere') };
    expectClearError(runCohort(['preview', file], moved), 1, /No predefined job 'mine\/copy'/);
  }, 120_000);
});
