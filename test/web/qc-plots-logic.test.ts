import { describe, expect, it } from 'vitest';
import { summariseProfiles, toTsv } from '../../web/src/plots/plot-data.js';
import { moveFocus, parseQcKeys, splitPatterns } from '../../web/src/qc/qc-keys.js';

describe('QC keys', () => {
  it('parses KEY=TAG pairs and refuses bad ones with the reason', () => {
    expect([...parseQcKeys(' 1=qc_ok  2=qc_bad x=motion ')]).toEqual([
      ['1', 'qc_ok'],
      ['2', 'qc_bad'],
      ['x', 'motion'],
    ]);
    expect(() => parseQcKeys('1=qc_ok 1=qc_bad')).toThrow("Key '1' is given twice.");
    expect(() => parseQcKeys('0=qc_ok')).toThrow(/clears the QC tags/);
    expect(() => parseQcKeys('ok')).toThrow("'ok' is not KEY=TAG");
    expect(() => parseQcKeys('1=two words')).toThrow("'words' is not KEY=TAG");
    expect(() => parseQcKeys('')).toThrow(/at least one/);
  });

  it('splits patterns at | and moves the focus within the grid', () => {
    expect(splitPatterns(' t1*/*.nii | T1w*/*.nii.gz |')).toEqual(['t1*/*.nii', 'T1w*/*.nii.gz']);
    expect(moveFocus('ArrowDown', 3, 40, 8)).toBe(11);
    expect(moveFocus('ArrowUp', 3, 40, 8)).toBe(0);
    expect(moveFocus('ArrowRight', 39, 40, 8)).toBe(39);
    expect(moveFocus('End', 0, 40, 8)).toBe(39);
    expect(moveFocus('x', 0, 40, 8)).toBeNull();
  });
});

describe('plot data', () => {
  it('writes TSV with the first row keys as header, cells kept in their columns', () => {
    expect(
      toTsv([
        { a: 1, b: 'x\ty' },
        { a: null, b: 'line\nbreak' },
      ]),
    ).toBe('a\tb\n1\tx y\n\tline break\n');
    expect(toTsv([])).toBe('');
  });

  it('summarises profiles per bundle, measure, group and node with the sample standard deviation', () => {
    const points = [0.4, 0.5, 0.6].map((value) => ({
      bundle: 'AF_L',
      measure: 'FA',
      group: 'control',
      node: 0,
      value,
    }));
    points.push({ bundle: 'AF_L', measure: 'FA', group: 'control', node: 1, value: 0.7 });
    const [first, second] = summariseProfiles(points);
    expect(first?.n).toBe(3);
    expect(first?.mean).toBeCloseTo(0.5, 12);
    expect(first?.sd).toBeCloseTo(0.1, 12); // n - 1: sqrt((0.01 + 0 + 0.01) / 2)
    expect(second).toMatchObject({ node: 1, n: 1, mean: 0.7, sd: 0, low: 0.7, high: 0.7 });
  });
});
