import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TASK_FOLDER_FILES } from '../task-folder.js';
import { runStoppedHere } from './run-stopped-here.js';

const dirs: string[] = [];
const groups: number[] = [];
afterEach(() => {
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ended
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A wrapper as the cluster's: its own process group, its run record, a child that keeps working. */
async function wrapper(): Promise<{ dir: string; pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-stopped-'));
  dirs.push(dir);
  const script = `printf '%s\\n' "$HOSTNAME $$ $EPOCHSECONDS" > "$1/${TASK_FOLDER_FILES.run}.tmp" && mv "$1/${TASK_FOLDER_FILES.run}.tmp" "$1/${TASK_FOLDER_FILES.run}"
(while :; do :; done) & wait`;
  const child = spawn('bash', ['-c', script, 'wrapper', dir], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid ?? 0;
  groups.push(pid);
  await until(() => existsSync(join(dir, TASK_FOLDER_FILES.run)));
  return { dir, pid };
}

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runStoppedHere', () => {
  it('says false while any process of the run group runs, true once all are stopped, false again after SIGCONT', async () => {
    const { dir, pid } = await wrapper();
    expect(runStoppedHere(dir)).toBe(false);
    process.kill(-pid, 'SIGSTOP');
    await until(() => runStoppedHere(dir) === true);
    process.kill(-pid, 'SIGCONT');
    await until(() => runStoppedHere(dir) === false);
  });

  it('cannot tell without a run record, or for a pid that is not the wrapper (another host, reused)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cohort-stopped-'));
    dirs.push(empty);
    expect(runStoppedHere(empty)).toBeUndefined();
    // This process's pid, but a start an hour later than its own: not the run's wrapper.
    const later = Math.floor(Date.now() / 1000) + 3600;
    writeFileSync(join(empty, TASK_FOLDER_FILES.run), `node9 ${process.pid} ${later}\n`);
    expect(runStoppedHere(empty)).toBeUndefined();
    writeFileSync(join(empty, TASK_FOLDER_FILES.run), `node9 999999999 ${later}\n`);
    expect(runStoppedHere(empty)).toBeUndefined();
    const { dir } = await wrapper();
    expect(runStoppedHere(dir)).toBe(false);
  });
});
