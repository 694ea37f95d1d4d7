import { describe, expect, it } from 'vitest';
import { translateNora } from './translate-nora.js';

const ENV = { DPXproject: 'ds', DPXpsid: '01#test' };

describe('translateNora: the NORA manual call table', () => {
  it.each([
    [
      ['-a', '/d/x.nii', '--addtag', 'a,b'],
      ['add', '/d/x.nii', '--tag', 'a', '--tag', 'b', '--project', 'ds'],
    ],
    [
      ['--add', '/d/x.nii', '/d/y.nii'],
      ['add', '/d/x.nii', '/d/y.nii', '--project', 'ds'],
    ],
    [
      ['--addtag', 'mytag', '-s', '01#test', '/d/x.nii'],
      ['tag', 'add', 'mytag', '01#test', '/d/x.nii', '--on', 'files', '--project', 'ds'],
    ],
    [
      ['--rmtag', 'a,b', '-s', '01#* tag:a'],
      ['tag', 'remove', 'a,b', '01#*', 'tag:a', '--on', 'files', '--project', 'ds'],
    ],
    [
      ['-s', '01#LATEST anat/*.nii.gz', '--json'],
      ['select', '01#LATEST', 'anat/*.nii.gz', '--json', '--project', 'ds'],
    ],
    [
      ['--addtag_study', 'done', '01#test'],
      ['tag', 'add', 'done', '01#test', '--on', 'studies'],
    ],
    [
      ['--addtag_patient', 'control', '01'],
      ['tag', 'add', 'control', '01', '--on', 'subjects'],
    ],
    [
      ['-p', 'other', '-a', '/d/x.nii'],
      ['add', '/d/x.nii', '--project', 'other'],
    ],
  ])('nora %j → cohort %j', (nora, cohort) => {
    expect(translateNora(nora, ENV)).toEqual([{ kind: 'cohort', argv: cohort }]);
  });

  it("maps -o and -pa onto the output path of the job's study", () => {
    expect(translateNora(['-o', 'x/out.nii'], ENV)).toEqual([
      { kind: 'output', path: 'x/out.nii', folder: false, study: '01#test' },
    ]);
    expect(() => translateNora(['-pa', 'x'], { DPXproject: 'ds' })).toThrow(/needs the job's study/);
  });

  it('refuses options with no equivalent, naming what to use instead', () => {
    expect(() => translateNora(['--sql', 'SELECT 1'], ENV)).toThrow(/nora --sql has no equivalent in Cohort/);
    expect(() => translateNora(['--exportmeta', '*', 't1/*'], ENV)).toThrow(/--exportmeta has no equivalent/);
    expect(() => translateNora(['--frobnicate'], ENV)).toThrow(/not an option Cohort knows/);
    expect(() => translateNora(['--addtag', 'x'], ENV)).toThrow(/needs -s SELECTOR/);
  });
});
