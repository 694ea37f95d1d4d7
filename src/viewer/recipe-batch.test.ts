import { describe, expect, it } from 'vitest';
import { validateBatch } from '../batches/batch-definition.js';
import { parseSelectionRecipe } from '../tracts/selection-recipe.js';
import { recipeBatch } from './recipe-batch.js';

describe('recipe batch', () => {
  it('is a valid study-level batch whose STRING argument is the recipe', () => {
    const rules = [
      { kind: 'include', sphere: [-30, -10, 20, 5] },
      { kind: 'exclude', sphere: [0, 0, 0, 8] },
    ] as const;
    const batch = validateBatch(recipeBatch({ name: "AF 'left'", tractPattern: 'dwi/*.tck', rules }));
    expect(batch.level).toBe('study');
    const job = batch.jobs[0];
    if (job === undefined || !('script' in job)) throw new Error('expected a script job');
    expect(job.script).toContain('cohort tracts select "$f1" "$o1" --recipe "$recipe"');
    const s1 = job.args.find((a) => a.name === 's1');
    const o1 = job.args.find((a) => a.name === 'o1');
    expect(o1).toMatchObject({ type: 'OUT', path: 'tracts/AF_left_.tck' });
    if (s1?.type !== 'STRING') throw new Error('expected s1');
    expect(parseSelectionRecipe(JSON.parse(s1.value)).rules).toHaveLength(2);
  });
});
