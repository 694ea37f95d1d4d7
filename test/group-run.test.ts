import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCohort, runReport } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// Group-level jobs end to end through the built CLI on the local executor: one task over every ready
// study, its FILE arguments as a bash array, a Python list and a MATLAB (Octave) cell; the studies'
// later job reads what it wrote; and `run` refuses an output that several studies would write.

const T1 = ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz', '*T1_BRAVO/*.nii.gz'];
const SIZE = "work/size 'a' $(x).txt"; // quotes and $() must reach the scripts as plain names
const GROUP = { kind: 'analysis', name: 'group' };

function groupBatch(): object {
  return {
    name: 'group sizes',
    level: 'study',
    jobs: [
      {
        name: 'Size',
        language: 'bash',
        // Slow enough that a group job not waiting for every study would find sizes missing.
        script: 'sleep 1; wc -c < "$f1" > "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: SIZE, ref: { kind: 'current' } },
        ],
      },
      {
        name: 'Sum',
        level: 'group',
        language: 'bash',
        script: 'echo "${#f1[@]}" > "$o1"\nawk \'{ s += $1 } END { print s }\' "${f1[@]}" >> "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: [SIZE], ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'sizes/total.txt', ref: GROUP, tags: ['total'] },
        ],
      },
      {
        name: 'List',
        level: 'group',
        language: 'python',
        script: 'import json\nwith open($o1, "w") as out:\n    json.dump({"sizes": $f1, "t1": $f2}, out)',
        args: [
          { type: 'FILE', name: 'f1', patterns: [SIZE], ref: { kind: 'current' } },
          { type: 'FILE', name: 'f2', patterns: T1, ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'sizes/list.json', ref: GROUP },
        ],
      },
      {
        name: 'Count in Octave',
        level: 'group',
        language: 'matlab',
        script:
          "fid = fopen(output1, 'w'); fprintf(fid, '%d %d\\n', iscell(input1), numel(input1)); fclose(fid);",
        args: [
          { type: 'FILE', name: 'input1', patterns: [SIZE], ref: { kind: 'current' } },
          { type: 'OUT', name: 'output1', path: 'sizes/count.txt', ref: GROUP },
        ],
      },
      {
        name: 'Copy total',
        language: 'bash',
        script: 'cp "$f1" "$o1"',
        args: [
          { type: 'FILE', name: 'f1', patterns: ['sizes/total.txt'], ref: GROUP },
          { type: 'OUT', name: 'o1', path: 'work/total.txt', ref: { kind: 'current' } },
        ],
      },
    ],
  };
}

interface Preview {
  items: { item: string; runnable: boolean; study: { folder: string } | null }[];
  group: {
    items: string[];
    jobs: { name: string; args: { name: string; paths?: string[]; path?: string }[] }[];
  };
  collisions: { path: string; writers: string[] }[];
}

function setup(): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  expect(runCohort(['demo', '--subjects', '3'], env).code).toBe(0);
  return { env, dir };
}

describe('a group-level job', () => {
  it('runs once over every ready study after their jobs, with lists in bash, Python and Octave', () => {
    const { env, dir } = setup();
    const path = join(dir, 'group.json');
    writeFileSync(path, JSON.stringify(groupBatch()));
    const preview = JSON.parse(runCohort(['preview', path, '--json'], env).stdout) as Preview;
    const ready = preview.items.filter((i) => i.runnable);
    expect(ready.length).toBeGreaterThan(2);
    expect(preview.collisions).toEqual([]);
    // The preview lists every ready study's file for the group job (written by job Size: not there yet).
    const sum = preview.group.jobs.find((j) => j.name === 'Sum');
    expect(sum?.args[0]?.paths).toEqual(ready.map((i) => `${i.study?.folder ?? ''}/${SIZE}`));
    const text = runCohort(['preview', path], env).stdout;
    expect(text).toContain(`Group-level job 'Sum' runs once over ${ready.length} item(s):`);

    const run = runCohort(['run', path, '--json'], env);
    const report = runReport<{ done: number }>(run.stdout);
    expect(report.done, run.stderr).toBe(ready.length * 2 + 3);
    const tasks = (
      JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout) as {
        tasks: { item: string; job_index: number; state: string; started_at: number; ended_at: number }[];
      }
    ).tasks;
    expect(tasks.filter((t) => t.state !== 'done')).toEqual([]);
    expect(
      tasks
        .filter((t) => t.item === '*')
        .map((t) => t.job_index)
        .sort(),
    ).toEqual([1, 2, 3]);
    const sumTask = tasks.find((t) => t.item === '*' && t.job_index === 1)!;
    const lastSize = Math.max(...tasks.filter((t) => t.job_index === 0).map((t) => t.ended_at));
    expect(sumTask.started_at).toBeGreaterThanOrEqual(lastSize);

    const sizes = ready.map((i) => Number(readFileSync(join(i.study?.folder ?? '', SIZE), 'utf8')));
    const total = join(ready[0]?.study?.folder ?? '', '..', '..', 'analysis/group/sizes/total.txt');
    expect(readFileSync(total, 'utf8').trim().split('\n').map(Number)).toEqual([
      ready.length,
      sizes.reduce((a, b) => a + b, 0),
    ]);
    const list = JSON.parse(readFileSync(join(total, '..', 'list.json'), 'utf8')) as Record<string, string[]>;
    expect(list['sizes']).toEqual(ready.map((i) => `${i.study?.folder ?? ''}/${SIZE}`));
    expect(list['t1']).toHaveLength(ready.length);
    expect(readFileSync(join(total, '..', 'count.txt'), 'utf8').trim()).toBe(`1 ${ready.length}`);
    // Each study's job after the group jobs read the total they wrote.
    for (const item of ready) {
      expect(readFileSync(join(item.study?.folder ?? '', 'work/total.txt'), 'utf8')).toBe(
        readFileSync(total, 'utf8'),
      );
    }
  }, 180_000);

  it('is what run asks for when several studies would write one output', () => {
    const { env, dir } = setup();
    const path = join(dir, 'collide.json');
    const batch = {
      name: 'collide',
      level: 'study',
      jobs: [
        {
          name: 'Mask',
          language: 'bash',
          script: 'cp "$f1" "$o1"',
          args: [
            { type: 'FILE', name: 'f1', patterns: T1, ref: { kind: 'current' } },
            { type: 'OUT', name: 'o1', path: 'group/mask.nii', ref: { kind: 'analysis', name: 'masks' } },
          ],
        },
      ],
    };
    writeFileSync(path, JSON.stringify(batch));
    const preview = JSON.parse(runCohort(['preview', path, '--json'], env).stdout) as Preview;
    expect(preview.collisions).toHaveLength(1);
    expect(preview.collisions[0]?.path).toMatch(/analysis\/masks\/group\/mask\.nii$/);
    expect(preview.collisions[0]?.writers.length).toBe(preview.items.filter((i) => i.runnable).length);
    expect(runCohort(['preview', path], env).stdout).toMatch(/COLLISION: .*mask\.nii is written by P001#/);
    const run = runCohort(['run', path], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/1 output is written by more than one task/);
    expect(run.stderr).toMatch(/analysis\/masks\/group\/mask\.nii \(P001#\d+: job 'Mask'/);
    expect(run.stderr).toMatch(/make the job group-level/);
    expect(JSON.parse(runCohort(['grid', '--all', '--json'], env).stdout)).toMatchObject({ tasks: [] });
  }, 120_000);
});
