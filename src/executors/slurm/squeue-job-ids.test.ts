import { describe, expect, it } from 'vitest';
import { squeueJobIds } from './scheduler-commands.js';

describe('squeueJobIds', () => {
  it('asks for each array once and keeps single jobs as they are', () => {
    expect(squeueJobIds(['12_0', '12_1', '12_999', '13', '14_5', '13'])).toEqual(['12', '13', '14']);
  });

  it('makes one short list of 200,000 elements in 200 arrays', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => `${1000 + Math.floor(i / 1000)}_${i % 1000}`);
    const asked = squeueJobIds(ids);
    expect(asked).toHaveLength(200);
    expect(asked.join(',').length).toBeLessThan(100_000); // one squeue call (MAX_ID_LIST_CHARS)
  });
});
