import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNiftiVolume } from '../imaging/nifti-volume.js';
import { tempDir } from '../jobs/test-fixture.js';
import { writeLabelledHeads } from './labelled-heads.js';

describe('writeLabelledHeads', () => {
  it('writes a T1 and its tissue labels on one grid, each label where its tissue is drawn', () => {
    const [head] = writeLabelledHeads(join(tempDir('heads'), 'a b'), { subjects: 2 });
    if (head === undefined) throw new Error('no head written');
    const t1 = readNiftiVolume(head.t1);
    const labels = readNiftiVolume(head.labels);
    expect(labels.dims).toEqual(t1.dims);
    expect(Array.from(labels.affine)).toEqual(Array.from(t1.affine));
    const sums = new Map<number, { n: number; total: number }>();
    labels.data.forEach((label, i) => {
      const entry = sums.get(label) ?? { n: 0, total: 0 };
      sums.set(label, { n: entry.n + 1, total: entry.total + (t1.data[i] ?? 0) });
    });
    // Labels 0-5 in a control head (no lesion); mean T1 per label follows the demo's contrast:
    // background dark, csf below gm below wm.
    expect([...sums.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const mean = (label: number): number => (sums.get(label)?.total ?? NaN) / (sums.get(label)?.n ?? NaN);
    expect(mean(0)).toBeLessThan(100);
    expect(mean(5)).toBeLessThan(mean(3));
    expect(mean(3)).toBeLessThan(mean(4));
  });
});
