import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Isolation } from '../src/jobs/isolation.js';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { prepareTinyImage, TINY_IMAGE } from './helpers/tiny-image.js';
import { writeTree } from './helpers/write-tree.js';

const STUDY = 'P001/20240101';

/**
 * A job that tries to write everywhere it must not, and to reach a TCP port of this machine, and
 * reports each attempt into its output; only bash builtins, so that it runs in the tiny image too.
 */
const PROBE = [
  'exec >"$o1"',
  'try() { if (echo x >"$1") 2>/dev/null; then echo "wrote $2"; else echo "denied $2"; fi; }',
  'try "${o1%/*}/allowed.txt" output',
  'try "${f1%/*/*}/evil.txt" study',
  'try "$f1" input',
  'try "$s1/evil.txt" outside',
  'try "$s2/evil.txt" home',
  'if (exec 3<>"/dev/tcp/127.0.0.1/$n1") 2>/dev/null; then echo "network open"; else echo "network closed"; fi',
  'read -r content <"$f1"; echo "read $content"',
].join('\n');

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs the probe job with this isolation on one study; returns its report and the paths around it. */
interface Probe {
  readonly report: string[];
  readonly root: string;
  readonly outside: string;
  readonly home: string;
}

function probe(isolation: Isolation | undefined, queue?: readonly string[]): Probe {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const root = join(dir, "project with 'quotes'");
  const outside = join(dir, 'outside');
  // Two studies: in the grouped run mode below they become steps of one unit.
  writeTree(root, { [`${STUDY}/t1/t1.nii`]: 'image', 'P002/20240101/t1/t1.nii': 'image' });
  writeTree(outside, { 'keep.txt': '' });
  expect(runCohort(['create', 'p', root], env).code).toBe(0);
  if (queue !== undefined) {
    const added = runCohort(['queue', 'add', 'fenced', '--engine', 'local', ...queue], env);
    expect(added.code, added.stderr).toBe(0);
  }
  const batch = join(dir, 'probe.json');
  writeFileSync(
    batch,
    JSON.stringify({
      name: 'probe',
      level: 'study',
      jobs: [
        {
          name: 'Probe',
          language: 'bash',
          script: PROBE,
          args: [
            { type: 'FILE', name: 'f1', patterns: ['t1/*.nii'], ref: { kind: 'current' } },
            { type: 'OUT', name: 'o1', path: 'out $(x)/report.txt', ref: { kind: 'current' } },
            { type: 'STRING', name: 's1', value: outside },
            { type: 'STRING', name: 's2', value: env.COHORT_HOME },
            { type: 'NUMERIC', name: 'n1', value: port },
          ],
          ...(isolation === undefined ? {} : { options: { isolation } }),
        },
      ],
    }),
  );
  // A queue's isolation is tested in a grouped run mode (one unit of steps): each step is fenced in.
  const run = runCohort(
    ['run', batch, '--json', ...(queue === undefined ? [] : ['--queue', 'fenced', '--mode', 'single'])],
    env,
  );
  const report = runReport<{ done: number; tasks: Array<{ error: string | null }> }>(run.stdout);
  expect(report.done, `${run.stderr}\n${JSON.stringify(report.tasks)}`).toBe(2);
  const lines = readFileSync(join(root, STUDY, 'out $(x)', 'report.txt'), 'utf8')
    .trim()
    .split('\n');
  return { report: lines, root, outside, home: env.COHORT_HOME };
}

/**
 * Nothing but the output folder changed on the host. (Inside a container a write may succeed into the
 * container's own throwaway /tmp, where these test folders lie: what counts is the host.)
 */
function expectFenced(r: Probe): void {
  expect(r.report[0]).toBe('wrote output');
  expect(existsSync(join(r.root, STUDY, 'out $(x)', 'allowed.txt'))).toBe(true);
  expect(existsSync(join(r.root, STUDY, 'evil.txt'))).toBe(false);
  expect(readFileSync(join(r.root, STUDY, 't1', 't1.nii'), 'utf8')).toBe('image');
  expect(existsSync(join(r.outside, 'evil.txt'))).toBe(false);
  expect(existsSync(join(r.home, 'evil.txt'))).toBe(false);
}

const bwrapProbe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--', '/bin/true'], {
  encoding: 'utf8',
});
const sandboxSkip =
  bwrapProbe.error !== undefined
    ? 'bubblewrap (bwrap) is not installed'
    : bwrapProbe.status === 0
      ? undefined
      : `the kernel refuses bubblewrap's namespaces: ${bwrapProbe.stderr.trim()}`;
if (sandboxSkip !== undefined) console.warn(`isolation.test: sandbox tests skipped: ${sandboxSkip}`);

describe('job isolation (integration: the built CLI and the local executor)', () => {
  it('without isolation the probe can write outside its outputs (the test would notice a fence)', () => {
    const r = probe({ kind: 'none' });
    expect(r.report).toEqual([
      'wrote output',
      'wrote study',
      'wrote input',
      'wrote outside',
      'wrote home',
      'network open',
      'read x',
    ]);
    expect(existsSync(join(r.outside, 'evil.txt'))).toBe(true);
  }, 60_000);

  it.skipIf(sandboxSkip !== undefined)(
    'in the bubblewrap sandbox a job writes only its outputs and has no network',
    () => {
      const r = probe({ kind: 'sandbox' });
      expectFenced(r);
      expect(r.report).toEqual([
        'wrote output',
        'denied study',
        'denied input',
        'denied outside',
        'denied home',
        'network closed',
        'read image',
      ]);
    },
    60_000,
  );

  it.skipIf(sandboxSkip !== undefined)(
    'a queue made with --isolation sandbox fences its jobs in',
    () => {
      const r = probe(undefined, ['--isolation', 'sandbox']);
      expectFenced(r);
      expect(r.report.slice(1, 6)).toEqual([
        'denied study',
        'denied input',
        'denied outside',
        'denied home',
        'network closed',
      ]);
    },
    60_000,
  );

  it.skipIf(sandboxSkip !== undefined)(
    'a sandbox that asks for the network gets it',
    () => {
      const r = probe({ kind: 'sandbox', network: true });
      expectFenced(r);
      expect(r.report.slice(5)).toEqual(['network open', 'read image']);
    },
    60_000,
  );

  // Apptainer is not a Debian package: where it is installed, this case has nothing to refuse.
  it.skipIf(spawnSync('sh', ['-c', 'command -v apptainer']).status === 0)(
    'refuses at the start a run whose sandbox or container program is not installed here',
    () => {
      const dir = tempDir();
      const env = { COHORT_HOME: join(dir, 'home'), PATH: '/usr/bin:/bin' };
      writeTree(join(dir, 'root'), { 'P001/20240101/t1/t1.nii': 'x' });
      expect(runCohort(['create', 'p', join(dir, 'root')], env).code).toBe(0);
      const batch = join(dir, 'b.json');
      const job = { name: 'Fenced', language: 'bash', script: 'true', args: [] };
      const isolation = { kind: 'apptainer', image: '/images/none.sif' };
      writeFileSync(
        batch,
        JSON.stringify({ name: 'b', level: 'study', jobs: [{ ...job, options: { isolation } }] }),
      );
      const run = runCohort(['run', batch], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        "Job 'Fenced' runs in a container (apptainer), but apptainer is not installed",
      );
      expect(run.stderr).toContain('hint: Install apptainer');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );

  describe('podman', () => {
    const setup = prepareTinyImage(tempDir('cohort-image-'));
    if (setup.skip !== undefined) console.warn(`isolation.test: container tests skipped: ${setup.skip}`);
    it.skipIf(setup.skip !== undefined)(
      'in a container a job sees its inputs, writes only its outputs and has no network',
      () => {
        const r = probe({
          kind: 'podman',
          image: TINY_IMAGE,
          ...(setup.globalArgs === undefined ? {} : { globalArgs: setup.globalArgs }),
          ...(setup.runArgs === undefined ? {} : { runArgs: setup.runArgs }),
        });
        expectFenced(r);
        expect(r.report.slice(5)).toEqual(['network closed', 'read image']);
      },
      120_000,
    );
  });
});
