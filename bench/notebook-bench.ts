import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, ms, timeCommand } from './measure.js';
import { writeSection } from './write-results.js';
import { deleteWorkFolder } from './fresh-work.js';

/**
 * Issue 15: what `cohort debug` costs on top of Jupyter itself, whole processes, alternated, medians of
 * ROUNDS: (1) `cohort debug TASK` until it prints the URL (notebook built, run made, background runner,
 * launcher, jupyter-notebook answering) against a bare `jupyter-notebook` started until its API answers;
 * (2) `cohort debug TASK --execute` (a run with one task: nbclient, kernel, the job, `cohort add`)
 * against `jupyter execute` of the same notebook, and against running the task itself (`cohort run`).
 */
const WORK = fileURLToPath(new URL('./.work/notebook/', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROUNDS = 5;

const JOB = {
  name: 'Digest',
  language: 'python',
  script: 'import hashlib\nopen($o1, "w").write(hashlib.sha256(open($f1, "rb").read()).hexdigest())\n',
  args: [
    { type: 'FILE', name: 'f1', patterns: ['t1_mprage*/s0__.nii'], ref: { kind: 'current' } },
    { type: 'OUT', name: 'o1', path: 'bench/digest.txt', ref: { kind: 'current' }, tags: ['digest'] },
  ],
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A bare jupyter-notebook from its start until its API answers with the token. */
async function bareJupyter(dir: string): Promise<number> {
  const port = await freePort();
  const token = 'b'.repeat(48);
  const started = performance.now();
  const child = spawn(
    'jupyter-notebook',
    ['--no-browser', '--ip=127.0.0.1', `--port=${port}`, `--notebook-dir=${dir}`, '--allow-root'],
    { env: { ...process.env, JUPYTER_TOKEN: token }, stdio: 'ignore' },
  );
  for (;;) {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (answer.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return elapsed;
}

export async function runNotebookBench(): Promise<void> {
  deleteWorkFolder(WORK);
  mkdirSync(WORK, { recursive: true });
  const home = join(WORK, 'home');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: WORK, COHORT_HOME: home };
  timeCommand(process.execPath, [CLI, 'demo', '--subjects', '1'], env);
  const batch = join(WORK, 'digest.json');
  writeFileSync(batch, JSON.stringify({ name: 'digest', level: 'study', jobs: [JOB] }));
  const cohort = (...args: string[]): { ms: number; stdout: string } =>
    timeCommand(process.execPath, [CLI, ...args], env);
  const first = cohort('run', batch, 'P001#OLDEST', '--json');
  const task = (
    JSON.parse(first.stdout.trim().split('\n').at(-1) ?? '{}') as { tasks: Array<{ id: number }> }
  ).tasks[0]?.id;
  if (task === undefined) throw new Error('the task did not run');

  const serve: number[] = [];
  const bare: number[] = [];
  const execute: number[] = [];
  const jupyterExecute: number[] = [];
  const runTask: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const debug = cohort('debug', String(task), '--json');
    serve.push(debug.ms);
    cohort('grid', 'kill', String((JSON.parse(debug.stdout) as { taskId: number }).taskId));
    bare.push(await bareJupyter(WORK));
    const executed = cohort('debug', String(task), '--execute', '--json');
    execute.push(executed.ms);
    const notebook = (JSON.parse(executed.stdout) as { notebook: string }).notebook;
    const folder = join(notebook, '..');
    jupyterExecute.push(
      timeCommand('jupyter-execute', [notebook], {
        ...env,
        PATH: `${join(home, 'bin')}:${env.PATH}`,
        JUPYTER_PATH: join(folder, 'jupyter'),
        PYDEVD_DISABLE_FILE_VALIDATION: '1',
      }).ms,
    );
    runTask.push(cohort('run', batch, 'P001#OLDEST', '--json').ms);
  }
  const text = `## Debugging in Jupyter (issue 15)

\`bench/notebook-bench.ts\`: a Python job (SHA-256 of the T1 of the demo's first study), whole processes,
alternated, medians of ${ROUNDS} rounds. Machine: ${machineLine()}.

| what | median |
|---|---|
| \`cohort debug TASK\` until it prints the URL with its token (local executor) | ${ms(median(serve))} |
| bare \`jupyter-notebook\` from its start until its API answers (the peer) | ${ms(median(bare))} |
| \`cohort debug TASK --execute\` (notebook run headless as a task, outputs registered) | ${ms(median(execute))} |
| \`jupyter execute\` of the same notebook (nbclient's own runner, the peer) | ${ms(median(jupyterExecute))} |
| \`cohort run\` of the task itself, for scale | ${ms(median(runTask))} |

Most of the time is Jupyter's (the server's imports, the kernel's start). Serving, Cohort adds
${ms(median(serve) - median(bare))}: the run and task rows, the notebook, a background runner (a second
Node process that submits the task) and the waits of the launcher and of \`cohort debug\` for the first answer;
executing, ${ms(median(execute) - median(jupyterExecute))}. The machine was shared with other work while measuring.`;
  console.log(text);
  writeSection('notebook', text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runNotebookBench();
