import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveBatch, deleteBatch } from '../batches/batch-store.js';
import type { BatchDefinition } from '../batches/batch-definition.js';
import { indexProject } from '../catalog/indexer/index-project.js';
import { addTags } from '../catalog/tags.js';
import type { RunDriver } from '../runs/index.js';
import { createServerFixture, type ServerFixture } from '../server/test-fixture.js';
import { listLog } from './auto-store.js';
import { createRule, type RuleInput } from './create-rule.js';
import { fireRules } from './fire-rules.js';

// Real SQLite and a real project tree; the driver only records which runs it was handed (starting
// them is the supervisor's business, tested elsewhere).

let f: ServerFixture;
let started: number[];
const driver: RunDriver = {
  start: (runId) => {
    started.push(runId);
    return Promise.resolve();
  },
};

function batch(script = 'cp "$f1" "$o1"', name = 'copy'): BatchDefinition {
  return {
    name,
    level: 'study',
    jobs: [
      {
        name: 'Copy',
        language: 'bash',
        script,
        args: [
          { type: 'FILE', name: 'f1', patterns: ['t1/s001.nii'], ref: { kind: 'current' } },
          { type: 'OUT', name: 'o1', path: 'out/copy.nii', ref: { kind: 'current' } },
        ],
      },
    ],
  };
}

function rule(input: Partial<RuleInput> = {}): void {
  createRule(f.catalog.db, f.alpha, { name: 'r', trigger: 'new', batch: 'copy', owner: 'ana', ...input });
}

async function addStudy(pid: string, sid: string): Promise<string> {
  const file = join(f.alpha.root, pid, sid, 't1', 's001.nii');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${pid} ${sid}`);
  await indexProject(f.catalog, f.alpha, { threads: 1 });
  return file;
}

const fire = (now?: number) =>
  fireRules(f.catalog, f.alpha, { source: 'test', driver, ...(now === undefined ? {} : { now }) });

/** The items of the runs started so far, run by run. */
function itemsOfRuns(): string[][] {
  return started.map((id) =>
    (
      f.catalog.db.prepare('SELECT item FROM tasks WHERE run_id = ? ORDER BY item').all(id) as Array<{
        item: string;
      }>
    ).map((r) => r.item),
  );
}

beforeEach(async () => {
  f = await createServerFixture();
  started = [];
  saveBatch(f.catalog.db, f.alpha, batch());
});
afterEach(async () => {
  await f.close();
});

describe('fireRules', () => {
  it('starts a new study once; the same job on the same inputs never again; a new job version or changed input again', async () => {
    rule();
    expect(await fire()).toEqual([{ rule: 'r', runs: [], skipped: 0 }]); // the studies before the rule
    const input = await addStudy('P003', '20230101');
    const first = await fire();
    expect(first[0]?.runs.map((r) => r.items)).toEqual([['P003#20230101']]);
    const run = f.catalog.db.prepare('SELECT selection FROM runs WHERE id = ?').get(started[0]);
    expect(run).toEqual({ selection: 'AUTOEXEC:r' });
    expect((await fire())[0]).toMatchObject({ runs: [], skipped: 1 });

    saveBatch(f.catalog.db, f.alpha, batch('cp -- "$f1" "$o1"'));
    expect((await fire())[0]?.runs).toHaveLength(1);
    utimesSync(input, new Date(), new Date(Date.now() + 5000));
    expect((await fire())[0]?.runs).toHaveLength(1);
    expect(itemsOfRuns()).toEqual([['P003#20230101'], ['P003#20230101'], ['P003#20230101']]);
    expect(listLog(f.catalog.db, f.alpha).map((l) => [l.source, l.items])).toEqual([
      ['test', 1],
      ['test', 1],
      ['test', 1],
    ]);
  });

  it('fires tag and quiet triggers through the filter, in chunks, in rule order', async () => {
    await addStudy('P003', '20230101');
    await addStudy('P004', '20230101');
    const ids = f.catalog.db.prepare('SELECT id FROM studies WHERE project_id = ?').all(f.alpha.id) as Array<{
      id: number;
    }>;
    addTags(
      f.catalog.db,
      'study',
      ids.map((r) => r.id),
      ['ready'],
    );
    saveBatch(f.catalog.db, f.alpha, batch('true', 'other'));
    rule({ name: 'later', trigger: 'tag:ready', filter: 'P00', chunk: 1, order: 2, batch: 'other' });
    rule({ name: 'first', trigger: 'quiet:10', filter: '!P004', order: 1 });
    const now = Date.now();
    // Nothing is quiet yet (files written a moment ago): only the tag rule, one run per study.
    const results = await fire(now);
    expect(results.map((r) => [r.rule, r.runs.length])).toEqual([
      ['first', 0],
      ['later', 4],
    ]);
    const quiet = await fire(now + 11 * 60_000);
    expect(quiet[0]?.runs.map((r) => r.items)).toEqual([['P001#20200101', 'P002#20200202', 'P003#20230101']]);
  });

  it('skips studies whose outputs exist when asked, and logs a rule whose batch is gone without stopping the next', async () => {
    await addStudy('P003', '20230101');
    await addStudy('P004', '20230101');
    mkdirSync(join(f.alpha.root, 'P003/20230101/out'));
    writeFileSync(join(f.alpha.root, 'P003/20230101/out/copy.nii'), 'made by hand');
    rule({ name: 'a', includeExisting: true, skipExistingOutputs: true, order: 2 });
    saveBatch(f.catalog.db, f.alpha, batch('true', 'gone'));
    rule({ name: 'broken', batch: 'gone', order: 1, includeExisting: true });
    deleteBatch(f.catalog.db, f.alpha, { name: 'gone' });
    const results = await fire();
    expect(results[0]).toMatchObject({ rule: 'broken', runs: [] });
    expect(results[0]?.error).toMatch(/gone/);
    expect(results[1]?.runs.map((r) => r.items)).toEqual([
      ['P001#20200101', 'P002#20200202', 'P004#20230101'],
    ]);
    expect(results[1]?.skipped).toBe(1);
    expect(listLog(f.catalog.db, f.alpha, 'broken')[0]?.message).toMatch(/gone/);
  });

  it('refuses a rule with a wrong trigger, batch, filter or queue, saying what to give', () => {
    expect(() => rule({ trigger: 'sometimes' })).toThrow(/Unknown trigger 'sometimes'/);
    expect(() => rule({ batch: 'nope' })).toThrow(/nope/);
    expect(() => rule({ filter: '& &' })).toThrow();
    expect(() => rule({ queue: 'gpu' })).toThrow(/gpu/);
    rule();
    expect(() => rule()).toThrow(/already/);
  });
});
