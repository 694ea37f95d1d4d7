import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngineFixture, type EngineFixture } from './engine-fixture.js';
import { EngineLookups, PROVENANCES_KEPT } from './engine-lookups.js';
import type { TaskProvenance } from './provenance.js';

let f: EngineFixture;
beforeEach(async () => {
  f = await createEngineFixture();
});
afterEach(() => f.close());

describe('EngineLookups provenances', () => {
  it('parses a task provenance once and keeps it across submits and polls', () => {
    const [task] = f.tasks(f.run([{}]));
    const lookups = new EngineLookups(f.catalog);
    const first = lookups.provenance(task!.id);
    // Gone from the database, it is still known: the second read did not go there.
    f.catalog.db.prepare('UPDATE tasks SET resolved = ? WHERE id = ?').run('', task!.id);
    expect(lookups.provenance(task!.id)).toBe(first);
    // A new lookup (a restarted runner) reads the row again and finds it damaged.
    expect(() => new EngineLookups(f.catalog).provenance(task!.id)).toThrow(/provenance of task/);
  });

  it(`keeps at most ${PROVENANCES_KEPT}, dropping the oldest first`, () => {
    const [task] = f.tasks(f.run([{}]));
    const lookups = new EngineLookups(f.catalog);
    const mine = lookups.provenance(task!.id);
    const other: TaskProvenance = { ...mine };
    lookups.know(new Map(Array.from({ length: PROVENANCES_KEPT - 1 }, (_, i) => [100_000 + i, other])));
    expect(lookups.provenance(task!.id)).toBe(mine); // still one of the kept
    lookups.know(new Map([[200_000, other]]));
    // Now the oldest went: read again from the database, a new object of the same content.
    const again = lookups.provenance(task!.id);
    expect(again).not.toBe(mine);
    expect(again).toEqual(mine);
  });
});
