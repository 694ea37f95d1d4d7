import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot, underRoot } from './study-row.js';

// The fast paths must give exactly what path.resolve / path.relative give, for every folder form.
const ROOTS = ['/data/stroke', '/data/stroke/', '/', '/data/./stroke', '/data/x/../stroke'];
const FOLDERS = [
  'P001/20200101',
  'sub-01/ses-02',
  'P 001/2020 01 01',
  'Ünïcødé/$(x)',
  '',
  '.',
  './P001',
  'P001/../P002',
  'P001//20200101',
  'P001/',
  '/elsewhere/P001',
  '..',
  '...',
  '.hidden/x',
];

describe('underRoot and fromRoot', () => {
  it('equal path.resolve and path.relative for plain and unusual folders', () => {
    for (const root of ROOTS) {
      for (const folder of FOLDERS) {
        const absolute = underRoot(root, folder);
        expect(absolute, `${root} + ${folder}`).toBe(resolve(root, folder));
        expect(fromRoot(root, absolute), `${root} - ${absolute}`).toBe(relative(root, absolute));
      }
    }
  });

  it('walks back out of the root like path.relative', () => {
    expect(fromRoot('/data/stroke', '/data/other/P001')).toBe('../other/P001');
    expect(fromRoot('/data/stroke', '/data/stroke')).toBe('');
    expect(fromRoot('/data/stroke', '/data/strokes/P001')).toBe('../strokes/P001');
  });
});
