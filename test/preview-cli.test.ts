import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCohort } from './helpers/cli-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `cohort preview` on the demo: a page of items in full, the summary over all of them.

const BATCH = {
  name: 'masks',
  level: 'study',
  jobs: [
    {
      name: 'Brain mask',
      language: 'bash',
      script: 'cp "$f1" "$o1"',
      args: [
        {
          type: 'FILE',
          name: 'f1',
          patterns: ['t1_mprage*/s0__.nii', 'T1w*/*.nii.gz'],
          ref: { kind: 'current' },
        },
        {
          type: 'FILE',
          name: 'f2',
          patterns: ['no_such_series/*.nii'],
          ref: { kind: 'current' },
          optional: true,
        },
        { type: 'OUT', name: 'o1', path: 'masks/brain.nii', ref: { kind: 'current' } },
      ],
    },
  ],
};

interface Preview {
  readonly items: ReadonlyArray<{ readonly item: string }>;
  readonly page: { readonly offset: number; readonly limit: number };
  readonly summary: {
    readonly total: number;
    readonly missingItems: number;
    readonly arguments: ReadonlyArray<{ readonly argument: string; readonly missing: number }>;
  };
}

describe('cohort preview', () => {
  const dir = tempDir();
  const env = { COHORT_HOME: join(dir, 'home') };
  const path = join(dir, 'masks.json');
  writeFileSync(path, JSON.stringify(BATCH));

  it('shows a page of items and counts every item', () => {
    expect(runCohort(['demo', '--subjects', '4'], env).code).toBe(0);
    const all = JSON.parse(runCohort(['preview', path, '--all', '--json'], env).stdout) as Preview;
    const total = all.summary.total;
    expect(all.items).toHaveLength(total);
    expect(total).toBeGreaterThan(4);

    const page = JSON.parse(
      runCohort(['preview', path, '--items', '2', '--offset', '3', '--json'], env).stdout,
    ) as Preview;
    expect(page.page).toEqual({ offset: 3, limit: 2 });
    expect(page.items.map((i) => i.item)).toEqual(all.items.slice(3, 5).map((i) => i.item));
    expect(page.summary.total).toBe(total);
    // The optional input no study has: counted for every item, listed once with an example.
    expect(page.summary.missingItems).toBe(total);
    expect(page.summary.arguments).toContainEqual(
      expect.objectContaining({ argument: 'f2', missing: total }),
    );

    const text = runCohort(['preview', path, '--items', '2'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Items 1 to 2 of ${total} shown`);
    expect(text.stdout).toContain(
      `job 'Brain mask', argument 'f2' (optional): missing in ${total} item(s), e.g.`,
    );
    expect(text.stdout.match(/^\S+#\S+ +(ready|MISSING) /gm)).toHaveLength(2);
  });

  it('refuses a negative page', () => {
    const bad = runCohort(['preview', path, '--offset', '-1'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/offset/);
  });
});
