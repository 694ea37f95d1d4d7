import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { writeTree } from './helpers/write-tree.js';

function demo(): { env: Record<string, string>; root: string } {
  const home = join(tempDir(), 'home');
  const env = { COHORT_HOME: home };
  const run = runCohort(['demo'], env);
  expect(run.code, run.stderr).toBe(0);
  return { env, root: join(home, 'demo') };
}

describe('cohort CLI', () => {
  it('runs the demo end to end: generate, index, tag, select across scanner naming', () => {
    const { env, root } = demo();
    const latestT1 = runCohort(
      [
        'select',
        '*#LATEST',
        'file:t1_mprage*/s0__.nii',
        'file:T1w*/*.nii.gz',
        'file:*T1_BRAVO/*.nii.gz',
        'nth:1',
      ],
      env,
    );
    expect(latestT1.code).toBe(0);
    const paths = latestT1.stdout.trim().split('\n');
    expect(paths).toHaveLength(20);
    for (const p of paths) expect(existsSync(p), p).toBe(true);
    expect(paths).toContain(join(root, 'P006/20200208/T1w_3D/T1.nii.gz')); // scanner B's naming

    const studies = JSON.parse(
      runCohort(['studies', 'STAG:baseline & PTAG:control', '--json'], env).stdout,
    ) as Array<{ ref: string; tags: string[] }>;
    expect(studies.map((s) => s.ref)).toContain('P004#20190127');
    expect(studies.every((s) => s.tags.includes('baseline'))).toBe(true);
    expect(studies).toHaveLength(8);
  });

  it('selects and tags files whose names have spaces and unicode, never through a shell', () => {
    const { env, root } = demo();
    const spaced = join(root, 'P005/20200829/t1_mprage_sag/s001 copy.nii');
    const select = runCohort(['select', 'P005', 'file:t1*/s001 copy.nii'], env);
    expect(select.stdout.trim()).toBe(spaced);
    expect(runCohort(['tag', 'add', 'dup', spaced], env).stdout).toContain(
      '1 file(s) selected, 1 tag(s) added',
    );
    expect(runCohort(['select', 'tag:dup'], env).stdout.trim()).toBe(spaced);
    const unicode = runCohort(['select', '--json', 'file:T2_Müller/*.nii.gz'], env);
    expect((JSON.parse(unicode.stdout) as Array<{ ref: string }>).map((s) => s.ref)).toEqual([
      'P011#20210406',
    ]);
  });

  it('adds files made inside a study and copies files in from outside, refusing escapes', () => {
    const { env, root } = demo();
    const made = join(
      root,
      'P001',
      runCohort(['select', '--studies', 'P001#OLDEST'], env).stdout.trim().split('#')[1] ?? '',
      'masks',
      'brain $(touch pwned).nii',
    );
    writeTree(join(made, '..'), { 'brain $(touch pwned).nii': 'mask' });
    const added = runCohort(['add', made, '--tag', 'brainmask'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(runCohort(['select', 'tag:brainmask'], env).stdout.trim()).toBe(made);

    const outside = join(tempDir(), "result 'x'.nii");
    writeFileSync(outside, 'r');
    const copied = runCohort(['add', outside, '--study', 'P002#LATEST', '--into', 'results'], env);
    expect(copied.code).toBe(1); // LATEST is a selector word, not a study id: clear error
    expect(copied.stderr).toContain('No study P002#LATEST');
    const sid = runCohort(['select', '--studies', 'P002#LATEST'], env).stdout.trim();
    const ok = runCohort(['add', outside, '--study', sid, '--into', 'results', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([expect.objectContaining({ ok: true, copied: true })]);
    const again = runCohort(['add', outside, '--study', sid, '--into', 'results'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; not overwritten');

    const escape = runCohort(['add', outside, '--study', sid, '--into', '../../..'], env);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/outside the root/);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
  });

  it('answers bad input with a clear error and hint, never a stack trace', () => {
    const { env } = demo();
    const cases: Array<[string[], RegExp]> = [
      [['select', 'stg:x'], /Unknown prefix 'stg:'/],
      [['studies', 'STAG:a &'], /&/],
      [['select', 'P001#LATEST-x'], /LATEST/],
      [['tag', 'add', 'bad tag', 'P001'], /Invalid tag 'bad tag'/],
      [['rescan', '--threads', 'zero'], /--threads/],
      [['nonsense'], /unknown command/],
      [['select', '--bogus'], /bogus/],
      [['create', 'x y', '/nonexistent'], /Invalid project name/],
      [['select', '--project', 'nope'], /No project named 'nope'/],
    ];
    for (const [args, message] of cases) {
      const run = runCohort(args, env);
      expect(run.code, args.join(' ')).toBeGreaterThan(0);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('documents every command in --help', () => {
    const help = runCohort(['--help'], {});
    for (const command of [
      'demo',
      'create',
      'rescan',
      'import-dicom',
      'subjects',
      'studies',
      'files',
      'select',
      'add',
      'tag add',
      'tag remove',
    ]) {
      expect(help.stdout).toContain(`  ${command} `);
      expect(runCohort([...command.split(' '), '--help'], {}).stdout).toContain(`Usage: cohort ${command}`);
    }
  });
});
