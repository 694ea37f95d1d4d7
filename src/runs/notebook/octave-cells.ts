import { matlabString, matlabValue } from '../../jobs/matlab-command.js';
import type { LanguageCells, NotebookSource } from './build-notebook.js';
import { SCRIPT_MARKER } from './nbformat.js';

/**
 * The cells of an Octave-kernel notebook for a MATLAB job: values as MATLAB literals (the same ones
 * job.m gets), the COHORT_* variables through setenv, and registration through `system` with every
 * path single-quoted for the shell by `cohort_q` (a quote inside is written '\'').
 */
export function octaveCells(source: NotebookSource): LanguageCells {
  const { provenance, bound, cohortEnv } = source;
  const { job, tagOnSuccess, studyRef } = provenance;
  const setup = [
    "% Setup (tagged `parameters`): the task's resolved values. Edit them to try other data.",
    ...(job.environment === undefined
      ? []
      : [
          "% The job's environment line; it ran before this kernel started:",
          `cohort_environment = ${matlabString(job.environment)};`,
        ]),
    ...bound.map((arg) => `${arg.name} = ${matlabValue(arg)};`),
    '% What the in-job CLI (`cohort add`) reads: project, item, study, task.',
    ...Object.entries(cohortEnv).map(([k, v]) => `setenv(${matlabString(k)}, ${matlabString(v)});`),
    '% The output folders, made as the task makes them before it starts.',
    ...bound.flatMap((arg) => {
      if (arg.type === 'OUT') return [`[~, ~] = mkdir(fileparts(${arg.name}));`];
      return arg.type === 'PATHOUT' ? [`[~, ~] = mkdir(${arg.name});`] : [];
    }),
  ].join('\n');
  const jobCell = [`% ${SCRIPT_MARKER}`, job.script ?? ''].join('\n');
  const adds = job.args.flatMap((arg) => {
    if (arg.type !== 'OUT' && arg.type !== 'PATHOUT') return [];
    const tags = (arg.tags ?? []).map((t) => ` ' --tag ' cohort_q(${matlabString(t)})`).join('');
    const files =
      arg.type === 'PATHOUT'
        ? `['find ' cohort_q(${arg.name}) ' -type f -exec cohort add'${tags} ' {} +']`
        : `['cohort add ' cohort_q(${arg.name})${tags}]`;
    return [
      `if ~exist(${arg.name}, 'file'), error('the job ended without writing %s', ${arg.name}); end`,
      `cohort_run(${files});`,
    ];
  });
  const register = [
    "% Registers the outputs in the catalog with their tags through the in-job CLI, as the task's end does.",
    "cohort_q = @(s) ['''' strrep(s, '''', '''\\''''') ''''];",
    "cohort_run = @(cmd) assert(system(cmd) == 0, 'cohort: failed: %s', cmd);",
    ...(adds.length === 0 ? ['% (the job declares no outputs)'] : adds),
    ...(tagOnSuccess === undefined || studyRef === undefined
      ? []
      : [
          `cohort_run(['cohort tag add ' cohort_q(${matlabString(tagOnSuccess)}) ' ' cohort_q(${matlabString(studyRef)})]);`,
        ]),
  ].join('\n');
  return { setup, job: jobCell, register };
}
