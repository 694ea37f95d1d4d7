import type { BatchDefinition } from './batch-definition.js';

/**
 * A realistic 5-job subject-level batch over the series of `createLargeFixture` (src/selection): FILE
 * arguments with single and multiple matches, pattern unions, named (BASELINE/FOLLOWUP), offset, tagged
 * and matching references, an optional input, an input written by an earlier job, OUT and PATHOUT.
 * The preview benchmark and the scale test resolve it over 1,000 subjects.
 */
export const LONGITUDINAL_BATCH: BatchDefinition = {
  name: 'Longitudinal T1 and DTI',
  level: 'subject',
  description: 'Baseline brain mask, follow-up registration, DTI fit, lesions, longitudinal change.',
  references: { BASELINE: { kind: 'oldest' }, FOLLOWUP: { kind: 'latest' } },
  jobs: [
    {
      name: 'Brain mask',
      language: 'bash',
      script: 'bet "$f1" "$o1" -f "$n1"',
      args: [
        {
          type: 'FILE',
          name: 'f1',
          patterns: ['t1_mprage_0/s000.nii'],
          ref: { kind: 'named', name: 'BASELINE' },
        },
        { type: 'OUT', name: 'o1', path: 'masks/brain_mask.nii', ref: { kind: 'named', name: 'BASELINE' } },
        { type: 'NUMERIC', name: 'n1', value: 0.5, min: 0, max: 1 },
      ],
    },
    {
      name: 'Register follow-up',
      language: 'bash',
      script: 'flirt -in "$f1" -ref "$f2" -refweight "$f3" -out "$o1" -interp "$interp"',
      args: [
        {
          type: 'FILE',
          name: 'f1',
          patterns: ['t1_mprage*/s00_.nii'],
          ref: { kind: 'named', name: 'FOLLOWUP' },
        },
        {
          type: 'FILE',
          name: 'f2',
          patterns: ['t1_mprage_0/s000.nii'],
          ref: { kind: 'named', name: 'BASELINE' },
        },
        {
          type: 'FILE',
          name: 'f3',
          patterns: ['masks/brain_mask.nii'],
          ref: { kind: 'named', name: 'BASELINE' },
        },
        {
          type: 'OUT',
          name: 'o1',
          path: 'reg/followup_to_baseline.nii',
          ref: { kind: 'named', name: 'FOLLOWUP' },
        },
        {
          type: 'OPTION',
          name: 'interp',
          value: 'trilinear',
          choices: ['trilinear', 'nearestneighbour', 'spline'],
        },
      ],
    },
    {
      name: 'DTI fit',
      language: 'python',
      script: 'fit_tensor($f1, $p1, model=$s1)',
      args: [
        { type: 'FILE', name: 'f1', patterns: ['dwi_64dir*/*.nii'], ref: { kind: 'latest' }, multiple: true },
        { type: 'PATHOUT', name: 'p1', path: 'dti', ref: { kind: 'latest' } },
        { type: 'STRING', name: 's1', value: 'tensor' },
      ],
    },
    {
      name: 'FLAIR lesions',
      language: 'matlab',
      script: 'segment_lesions(input1, input2, output1)',
      args: [
        {
          type: 'FILE',
          name: 'input1',
          patterns: ['flair_tra*/s00_.nii', 't2_tse*/s00_.nii'],
          ref: { kind: 'oldest', offset: 1 },
        },
        {
          type: 'FILE',
          name: 'input2',
          patterns: ['swi*/s004.nii'],
          ref: { kind: 'tagged', tag: 'qc_ok' },
          optional: true,
        },
        { type: 'OUT', name: 'output1', path: 'lesions/mask.nii', ref: { kind: 'oldest', offset: 1 } },
      ],
    },
    {
      name: 'Longitudinal change',
      language: 'bash',
      script: 'jacobian "$f1" "$f2" "$o1" --smooth "$l1"',
      args: [
        {
          type: 'FILE',
          name: 'f1',
          patterns: ['t1_mprage_0/s000.nii'],
          ref: { kind: 'named', name: 'BASELINE' },
        },
        {
          type: 'FILE',
          name: 'f2',
          patterns: ['t1_tra*/*.nii'],
          ref: { kind: 'matching', pattern: '2020*_4' },
          multiple: true,
        },
        { type: 'OUT', name: 'o1', path: 'change/jacobian.nii', ref: { kind: 'named', name: 'FOLLOWUP' } },
        { type: 'LOGICAL', name: 'l1', value: true },
      ],
    },
  ],
};
