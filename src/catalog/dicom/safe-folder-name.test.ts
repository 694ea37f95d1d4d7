import { describe, expect, it } from 'vitest';
import { studyDescription } from './describe-studies.js';
import { safeFolderName } from './safe-folder-name.js';

describe('safeFolderName', () => {
  it.each([
    ['R3.2.2 Enhanced Dicom Phantom', 'R3.2.2_Enhanced_Dicom_Phantom'],
    ['12_CBU_DTI_64D_1A', '12_CBU_DTI_64D_1A'],
    ['12_', '12'],
    ['../Müller/ß', 'Müller_ß'],
    ['.hidden', 'hidden'],
    ['--rm', 'rm'],
    ['P#1 & *x?', 'P_1_x'],
    ['$(touch pwned) `x` "q"', 'touch_pwned_x_q'],
    ['日本語 T1', '日本語_T1'],
    ['e\u0301', '\u00e9'],
    ['..', ''],
    ['  ', ''],
  ])('%j -> %j', (raw, safe) => {
    expect(safeFolderName(raw)).toBe(safe);
  });

  it('cuts long names at 200 UTF-8 bytes, between characters', () => {
    expect(safeFolderName('ü'.repeat(300))).toBe('ü'.repeat(100));
    expect(safeFolderName('日'.repeat(300))).toBe('日'.repeat(66));
    expect(safeFolderName(`${'a'.repeat(199)}😀`)).toBe('a'.repeat(199));
  });
});

describe('studyDescription', () => {
  const series = (seriesDescription?: string, studyDescription?: string) => ({
    subject: 'P1',
    study: 'S1',
    seriesDescription,
    studyDescription,
  });

  it('prefers the DICOM StudyDescription', () => {
    expect(studyDescription('old', [series('T1'), series('DTI', 'MRT Schädel')])).toBe('MRT Schädel');
  });

  it('otherwise adds new series descriptions to the current ones', () => {
    expect(studyDescription('', [series('T1'), series('DTI'), series('T1'), series()])).toBe('T1, DTI');
    expect(studyDescription('T1, DTI', [series('DTI'), series('FLAIR')])).toBe('T1, DTI, FLAIR');
  });
});
