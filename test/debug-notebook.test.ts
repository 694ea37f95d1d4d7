import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// Integration tests of `cohort debug` (issue 15) with Debian's Jupyter: the built CLI, the local
// executor, nbclient, ipykernel, the Octave kernel and jupyter-notebook, all real.

const T1 = {
  type: 'FILE',
  name: 'f1',
  patterns: ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz'],
  ref: { kind: 'current' },
};
// Names with a quote, a space and $() must reach the job and the registration as data.
const OUT = (name: string, path: string, tags: string[]): object => ({
  type: 'OUT',
  name,
  path,
  ref: { kind: 'current' },
  tags,
});
const VALUES = [
  { type: 'NUMERIC', name: 'n1', value: 2.5 },
  { type: 'STRING', name: 's1', value: `it's "odd" $(x) ü` },
];

const JOBS = {
  python: {
    name: 'Py digest',
    language: 'python',
    script: [
      'import hashlib, json',
      'data = open($f1, "rb").read()',
      'with open($o1, "w") as out:',
      '    json.dump({"sha": hashlib.sha256(data).hexdigest(), "n": $n1, "s": $s1}, out)',
    ].join('\n'),
    args: [T1, OUT('o1', "debug/py 'digest' $(x).json", ['digest', 'py']), ...VALUES],
  },
  bash: {
    name: 'Bash digest',
    language: 'bash',
    script: [
      'set -e',
      '{ echo "count=${#f1_all[@]}"; sha256sum < "$f1"; echo "n=$n1 s=$s1 item=$COHORT_ITEM"; } > "$o1"',
      'wc -c < "$f1_1" > "$p1/size.txt"',
    ].join('\n'),
    args: [
      T1,
      OUT('o1', 'debug/bash digest.txt', ['digest']),
      { type: 'PATHOUT', name: 'p1', path: 'debug/bash folder', ref: { kind: 'current' }, tags: ['folder'] },
      ...VALUES,
    ],
  },
  matlab: {
    name: 'Octave digest',
    language: 'matlab',
    script: [
      'info = dir(f1{1});',
      "fid = fopen(o1, 'w');",
      "fprintf(fid, 'bytes=%d n=%g s=%s\\n', info.bytes, n1, s1);",
      'fclose(fid);',
    ].join('\n'),
    args: [T1, OUT('o1', "debug/m 'digest'.txt", ['digest']), ...VALUES],
  },
} as const;

interface Setup {
  readonly env: Record<string, string>;
  readonly dir: string;
}

function setup(): Setup {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const demo = runCohort(['demo', '--subjects', '1'], env);
  expect(demo.code, demo.stderr).toBe(0);
  return { env, dir };
}

function batchFile(s: Setup, name: string, jobs: readonly object[]): string {
  const path = join(s.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, level: 'study', jobs }));
  return path;
}

/** Runs a batch on the first study; returns the task id. */
function runTask(s: Setup, batch: string): { taskId: number; item: string } {
  const run = runCohort(['run', batch, 'P001#OLDEST', '--json'], s.env);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  const report = runReport<{ tasks: Array<{ id: number; item: string }> }>(run.stdout);
  const task = report.tasks[0];
  if (task === undefined) throw new Error('no task');
  return { taskId: task.id, item: task.item };
}

interface Output {
  readonly path: string;
  readonly sha: string;
  readonly tags: readonly string[];
}

/** The item's registered files below `debug/`: content digests and tags. */
function outputs(s: Setup, item: string): Output[] {
  const files = JSON.parse(
    runCohort(['files', item, '--pattern', 'debug/*', '--json'], s.env).stdout,
  ) as Array<{
    absolutePath: string;
    path: string;
    tags: string[];
  }>;
  return files
    .filter((f) => existsSync(f.absolutePath))
    .map((f) => ({
      path: f.path,
      sha: createHash('sha256').update(readFileSync(f.absolutePath)).digest('hex'),
      tags: [...f.tags].sort(),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Takes the outputs away again: files off the disk, tags off the catalog. */
function forget(s: Setup, item: string, before: readonly Output[]): void {
  const [pid, sid] = item.split('#') as [string, string];
  rmSync(join(s.env.COHORT_HOME as string, 'demo', pid, sid, 'debug'), { recursive: true, force: true });
  for (const tag of new Set(before.flatMap((o) => o.tags))) {
    const r = runCohort(
      ['tag', 'remove', tag, '--on', 'files', item, 'file:debug/*', 'file:debug/*/*'],
      s.env,
    );
    expect(r.code, r.stderr).toBe(0);
  }
}

function validNotebook(path: string): void {
  const check = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path],
    { encoding: 'utf8' },
  );
  expect(check.status, check.stderr).toBe(0);
}

describe('cohort debug: a notebook of the exact task', () => {
  for (const [language, job] of Object.entries(JOBS)) {
    it(`executed headless, the ${language} job's notebook gives the same outputs as its task`, () => {
      const s = setup();
      const { taskId, item } = runTask(s, batchFile(s, language, [job]));
      const before = outputs(s, item);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((o) => o.tags.length > 0)).toBe(true);
      forget(s, item, before);
      expect(outputs(s, item)).toEqual([]);

      const debug = runCohort(['debug', String(taskId), '--execute', '--json'], s.env);
      expect(debug.code, debug.stderr + debug.stdout).toBe(0);
      const result = JSON.parse(debug.stdout) as {
        state: string;
        notebook: string;
      };
      expect(result.state).toBe('done');
      expect(outputs(s, item)).toEqual(before);
      validNotebook(result.notebook);
      const nb = JSON.parse(readFileSync(result.notebook, 'utf8')) as {
        nbformat: number;
        nbformat_minor: number;
        metadata: { kernelspec: { name: string } };
        cells: Array<{ metadata: { tags?: string[] }; source: string }>;
      };
      expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
      expect(nb.metadata.kernelspec.name).toBe(language === 'matlab' ? 'octave' : 'python3');
      expect(nb.cells[1]?.metadata.tags).toContain('parameters');
      if (language === 'bash') expect(nb.cells[2]?.source.startsWith('%%bash')).toBe(true);
    }, 120_000);
  }

  it('serves the notebook as a local task: 200 with its token, 403 without, gone when killed', async () => {
    const s = setup();
    const { taskId } = runTask(s, batchFile(s, 'py', [JOBS.python]));
    const debug = runCohort(['debug', String(taskId), '--json'], s.env);
    expect(debug.code, debug.stderr + debug.stdout).toBe(0);
    const { url, taskId: server } = JSON.parse(debug.stdout) as { url: string; taskId: number };
    // A failure below must not leave the server running for its idle hour.
    onTestFinished(() => void runCohort(['grid', 'kill-all'], s.env));
    const parsed = new URL(url);
    const token = parsed.searchParams.get('token') ?? '';
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(parsed.pathname).toBe(`/cohort/task-${server}/notebooks/notebook.ipynb`);
    expect(parsed.hostname).toBe('127.0.0.1');
    const api = `${parsed.origin}/cohort/task-${server}/api/contents/notebook.ipynb`;
    expect((await fetch(`${api}?token=${token}`)).status).toBe(200);
    expect((await fetch(api)).status).toBe(403);
    expect((await fetch(`${api}?token=${'0'.repeat(48)}`)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);
    // The grid shows it running with its URL.
    const shown = JSON.parse(runCohort(['grid', 'show', String(server), '--json'], s.env).stdout) as {
      state: string;
      notebookUrl?: string;
    };
    expect(shown.state).toBe('running');
    expect(shown.notebookUrl).toBe(url);

    expect(runCohort(['grid', 'kill', String(server)], s.env).code).toBe(0);
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline) {
      state = (
        JSON.parse(runCohort(['grid', 'show', String(server), '--json'], s.env).stdout) as { state: string }
      ).state;
      if (state === 'killed') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(state).toBe('killed');
    await expect(fetch(`${api}?token=${token}`)).rejects.toThrow();
  }, 120_000);

  it('refuses a task whose inputs are gone, naming them and the way out', () => {
    const s = setup();
    const { taskId, item } = runTask(s, batchFile(s, 'py', [JOBS.python]));
    const [pid, sid] = item.split('#') as [string, string];
    const t1 = join(s.env.COHORT_HOME as string, 'demo', pid, sid);
    const series = readdirSync(t1).find((d) => d.startsWith('t1_mprage')) as string;
    rmSync(join(t1, series), { recursive: true });
    const debug = runCohort(['debug', String(taskId)], s.env);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain(`The inputs of task ${taskId} are gone`);
    expect(debug.stderr).toContain('cohort debug --batch');
    expect(debug.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails the task with the reason when the notebook server cannot start', () => {
    const s = setup();
    // A jupyter-notebook that ends at once, put first on PATH by the job's environment line.
    const bin = join(s.dir, 'broken bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'jupyter-notebook'), '#!/bin/sh\necho "no notebook here today" >&2\nexit 3\n', {
      mode: 0o755,
    });
    const job = { ...JOBS.python, environment: `export PATH='${bin}':"$PATH"` };
    const { taskId } = runTask(s, batchFile(s, 'py', [job]));
    const debug = runCohort(['debug', String(taskId)], s.env);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('the notebook server ended before it answered (exit status 3)');
    expect(debug.stderr).toContain('no notebook here today');
  }, 60_000);

  it('saves the edited job cell back into the saved batch as a new version, the diff first', () => {
    const s = setup();
    const batch = batchFile(s, 'pysave', [JOBS.python]);
    expect(runCohort(['batch', 'save', batch], s.env).code).toBe(0);
    const { taskId } = runTask(s, batch);
    const debug = runCohort(['debug', String(taskId), '--execute', '--json'], s.env);
    expect(debug.code, debug.stderr).toBe(0);
    const { taskId: nbTask, notebook } = JSON.parse(debug.stdout) as {
      taskId: number;
      notebook: string;
    };
    const nb = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Array<{ id: string; source: string }> };
    const cell = nb.cells.find((c) => c.id === 'cohort-job');
    if (cell === undefined) throw new Error('no job cell');
    cell.source = `${cell.source.trimEnd()}\nprint("checked", f1)\n`;
    writeFileSync(notebook, JSON.stringify(nb));

    const shown = runCohort(['debug', 'save', String(nbTask)], s.env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('+print("checked", f1)');
    expect(shown.stdout).toContain(' data = open($f1, "rb").read()');
    expect(shown.stdout).toContain('--yes');
    const unchanged = JSON.parse(runCohort(['batch', 'show', 'pysave', '--json'], s.env).stdout) as {
      batch: { jobs: Array<{ script: string }> };
    };
    expect(unchanged.batch.jobs[0]?.script).toBe(JOBS.python.script);

    const saved = runCohort(['debug', 'save', String(nbTask), '--yes'], s.env);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain("kept as 'pysave~1'");
    const after = JSON.parse(runCohort(['batch', 'show', 'pysave', '--json'], s.env).stdout) as {
      batch: { jobs: Array<{ script: string }> };
    };
    expect(after.batch.jobs[0]?.script).toBe(`${JOBS.python.script}\nprint("checked", f1)\n`);
    const previous = JSON.parse(runCohort(['batch', 'show', 'pysave~1', '--json'], s.env).stdout) as {
      batch: { jobs: Array<{ script: string }> };
    };
    expect(previous.batch.jobs[0]?.script).toBe(JOBS.python.script);
  }, 120_000);

  it('debugs a batch job for one item before any run', () => {
    const s = setup();
    const batch = batchFile(s, 'two', [JOBS.bash, JOBS.python]);
    const debug = runCohort(
      ['debug', '--batch', batch, '--job', '2', '--item', 'P001#OLDEST', '--execute', '--json'],
      s.env,
    );
    expect(debug.code, debug.stderr + debug.stdout).toBe(0);
    const result = JSON.parse(debug.stdout) as { state: string };
    expect(result.state).toBe('done');
    const studies = JSON.parse(runCohort(['studies', 'P001', '--json'], s.env).stdout) as Array<{
      ref: string;
    }>;
    const made = studies.flatMap((st) => outputs(s, st.ref));
    expect(made.map((o) => o.tags)).toEqual([['digest', 'py']]);
    const bad = runCohort(['debug', '--batch', batch, '--job', '3', '--item', 'P001#OLDEST'], s.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('has 2 job(s), not 3');
  }, 120_000);
});
