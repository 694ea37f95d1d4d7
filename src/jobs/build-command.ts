import { invalidInput } from '../errors/cohort-error.js';
import { bashCommand } from './bash-command.js';
import { bindArguments } from './bind-arguments.js';
import type { JobDefinition } from './job-definition.js';
import { libraryCommand } from './library-command.js';
import { libraryJob, type LibraryJob } from './library.js';
import { matlabCommand } from './matlab-command.js';
import { pythonCommand } from './python-command.js';
import type { ResolvedArguments, TaskCommand } from './task-command.js';

export type { ResolvedArguments, ResolvedValue, TaskCommand, TaskFile } from './task-command.js';

export interface BuildCommandOptions {
  /** Predefined jobs to look `job.library` up in; default: the bundled library only. */
  readonly library?: readonly LibraryJob[];
  /** The interpreter of a Python job (its queue's); default DEFAULT_PYTHON, /usr/bin/python3. */
  readonly python?: string;
  /**
   * Where a script that is the same for every item of the job goes (a BASH job's `job.sh`: its values
   * come through the environment), so that a run writes it once per job; default `workDir`.
   */
  readonly scriptDir?: string;
}

/**
 * The command that runs `job` for one item whose argument values are `resolved`, in the work folder
 * `workDir` (absolute, one per task: the job's files are written there and it is the current
 * directory). Values never become unescaped shell or code text: BASH gets them as environment
 * variables, Python from args.json, MATLAB as literals with quotes doubled, library jobs as argv words.
 * Every task's environment has `COHORT_JOB_NAME`. See bash-command.ts, python-command.ts,
 * matlab-command.ts and library-command.ts for each kind.
 *
 * Example: a BASH job `bet "$f1" "$o1"` gives argv `['/bin/bash', '<workDir>/job.sh']`, env
 * `{ f1: '/data/p/s1/t1.nii', o1: '/data/p/s1/masks/brain.nii', ... }` and mkdirs `['/data/p/s1/masks']`.
 *
 * @throws CohortError INVALID_INPUT when a value is missing or of the wrong type, or the job is
 *   neither a script nor a library job; NOT_FOUND for an unknown library job.
 */
export function buildCommand(
  job: JobDefinition,
  resolved: ResolvedArguments,
  workDir: string,
  options: BuildCommandOptions = {},
): TaskCommand {
  const bound = bindArguments(job, resolved);
  if (job.library !== undefined) {
    const entry = libraryJob(job.library, options.library);
    return libraryCommand(job, entry, bound, workDir, options.python);
  }
  switch (job.language) {
    case 'bash':
      return bashCommand(job, bound, workDir, options.scriptDir);
    case 'python':
      return pythonCommand(job, bound, workDir, options.python);
    case 'matlab':
      return matlabCommand(job, bound, workDir);
    case undefined:
      throw invalidInput(
        `job '${job.name}' has neither a script language nor a library job`,
        'Set language (bash, python or matlab) and script, or library.',
      );
  }
}
