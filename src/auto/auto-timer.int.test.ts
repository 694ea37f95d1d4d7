import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveBatch } from '../batches/batch-store.js';
import { indexProject } from '../catalog/indexer/index-project.js';
import { createServerFixture, type ServerFixture } from '../server/test-fixture.js';
import { listLog } from './auto-store.js';
import { AutoTimer } from './auto-timer.js';
import { createRule } from './create-rule.js';

// The server's side: the timer fires every project's rules and the server's supervisor runs what they
// start on the real local executor.

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(async () => {
  await f.close();
});

describe('AutoTimer (cohort serve)', () => {
  it('fires a rule on a study that appeared, once, and the server runs it to its output', async () => {
    saveBatch(f.catalog.db, f.alpha, {
      name: 'copy',
      level: 'study',
      jobs: [
        {
          name: 'Copy',
          language: 'bash',
          script: 'cp "$f1" "$o1"',
          args: [
            { type: 'FILE', name: 'f1', patterns: ['t1/s001.nii'], ref: { kind: 'current' } },
            { type: 'OUT', name: 'o1', path: 'out/copy.nii', ref: { kind: 'current' } },
          ],
        },
      ],
    });
    createRule(f.catalog.db, f.alpha, { name: 'copy', trigger: 'new', batch: 'copy', owner: 'ana' });
    const study = join(f.alpha.root, 'P009', '20240101');
    mkdirSync(join(study, 't1'), { recursive: true });
    writeFileSync(join(study, 't1', 's001.nii'), 'new scan');
    await indexProject(f.catalog, f.alpha, { threads: 1 });
    const fired: string[] = [];
    const timer = new AutoTimer(f.catalog, f.context.runs, 60_000, (project, results) =>
      fired.push(...results.flatMap((r) => r.runs.map((run) => `${project}:${r.rule}:${run.items.join()}`))),
    );
    await timer.fireNow();
    await timer.fireNow();
    await timer.stop();
    expect(fired).toEqual(['alpha:copy:P009#20240101']);
    const runId = listLog(f.catalog.db, f.alpha)[0]?.runId ?? 0;
    const tasks = await f.context.runs.whenEnded(runId);
    expect(tasks.map((t) => t.state)).toEqual(['done']);
    expect(readFileSync(join(study, 'out', 'copy.nii'), 'utf8')).toBe('new scan');
    expect(listLog(f.catalog.db, f.alpha).map((l) => l.source)).toEqual(['serve']);
  }, 60_000);
});
