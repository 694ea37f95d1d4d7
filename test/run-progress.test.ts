import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// Each task takes a moment so the line is drawn more than once; P002's tasks fail.
const BATCH = {
  name: 'slowish',
  level: 'study',
  jobs: [
    {
      name: 'Wait',
      language: 'bash',
      script: 'sleep 0.4\ncase "$COHORT_ITEM" in P002*) echo "bad scan" >&2; exit 3;; esac\necho ok',
      args: [],
    },
  ],
};

function setup(): { env: Record<string, string>; batch: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  expect(runCohort(['demo', '--subjects', '3'], env).code).toBe(0);
  const batch = join(dir, 'slowish.json');
  writeFileSync(batch, JSON.stringify(BATCH));
  return { env, batch };
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

describe('progress of cohort run', () => {
  it('prints no progress line into a pipe, and task events with --json', () => {
    const { env, batch } = setup();
    const piped = runCohort(['run', batch], env);
    expect(piped.code).toBe(1);
    expect(piped.stdout).not.toContain('\r');
    expect(piped.stdout).not.toContain('tasks/s');
    expect(piped.stdout).toMatch(/Run 1 finished: \d+ done, \d+ error/);

    const json = runCohort(['rerun', '1', '--json'], env);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter((l) => l.event === 'task');
    expect(events.some((e) => e.state === 'running')).toBe(true);
    expect(events.filter((e) => e.state === 'error').every((e) => String(e.item).startsWith('P002'))).toBe(
      true,
    );
    expect(runReport<{ event: string; runId: number }>(json.stdout)).toMatchObject({
      event: 'finished',
      runId: 2,
    });
  });

  it('draws a live line on a terminal (a pseudo-terminal made by script(1)) that advances', () => {
    const { env, batch } = setup();
    const command = [process.execPath, CLI, 'run', batch].map(quote).join(' ');
    const tty = spawnSync('script', ['-qfec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', COLUMNS: '150', ...env },
    });
    const out = String(tty.stdout);
    const drawn = [...out.matchAll(/\r(\d+)\/(\d+) ended[^\r\n]*/g)];
    expect(drawn.length, out).toBeGreaterThan(1);
    const ended = drawn.map((m) => Number(m[1]));
    expect(Math.max(...ended)).toBeGreaterThan(Math.min(...ended));
    expect(drawn.some((m) => m[0].includes('tasks/s') && m[0].includes('left'))).toBe(true);
    expect(out).toMatch(/error: task \d+ P002\S* Wait: /);
    expect(out).toMatch(/Run 1 finished/);
  });

  it('draws the indexer line on a terminal during rescan, and none in a pipe', () => {
    const { env } = setup();
    const command = [process.execPath, CLI, 'rescan'].map(quote).join(' ');
    const tty = spawnSync('script', ['-qfec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    expect(String(tty.stdout)).toMatch(/\r[\d,]+ files seen \(\d+ added, \d+ changed\)/);
    expect(String(tty.stdout)).toMatch(/Indexed project 'demo'/);
    expect(runCohort(['rescan'], env).stdout).not.toContain('files seen');
  });
});
