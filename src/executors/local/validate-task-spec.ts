import { invalidInput } from '../../errors/cohort-error.js';
import type { TaskSpec } from '../executor.js';

/** Shared environments found valid: one object serves a whole run, checked once. */
const validShared = new WeakSet<object>();

/**
 * Rejects what the operating system or the wrapper cannot run, before anything is queued: an empty
 * argv, a program name starting with `-` (the shell's `exec` would read it as an option), NUL bytes
 * (they end a C string, so the task would get a different word), bad environment names, bad resources.
 */
export function validateTaskSpec(spec: TaskSpec): void {
  const context = { taskId: spec.taskId };
  const program = spec.argv[0];
  if (program === undefined || program === '')
    throw invalidInput('A task needs a program to run', undefined, context);
  if (program.startsWith('-')) {
    throw invalidInput(`Program name '${program}' starts with '-'`, 'Give a path, e.g. ./-name', context);
  }
  const shared = spec.sharedEnv !== undefined && !validShared.has(spec.sharedEnv) ? spec.sharedEnv : {};
  const words = [
    ...spec.argv,
    spec.cwd,
    spec.logDir,
    ...Object.entries(spec.env).flat(),
    ...Object.entries(shared).flat(),
  ];
  if (words.some((word) => word.includes('\0'))) {
    throw invalidInput(
      'A NUL character cannot be part of a command word, path or environment value',
      undefined,
      context,
    );
  }
  if (spec.logDir.includes('\n')) {
    throw invalidInput('A log folder path cannot contain a line break', 'Choose another folder', context);
  }
  const badName = [...Object.keys(spec.env), ...Object.keys(shared)].find(
    (name) => name === '' || name.includes('='),
  );
  if (badName !== undefined)
    throw invalidInput(`Invalid environment variable name '${badName}'`, undefined, context);
  if (spec.sharedEnv !== undefined) validShared.add(spec.sharedEnv);
  const { cpus, timeMinutes } = spec.resources;
  if (cpus !== undefined && !(cpus >= 1 && Number.isFinite(cpus))) {
    throw invalidInput(`cpus must be 1 or more, got ${cpus}`, undefined, context);
  }
  if (timeMinutes !== undefined && !(timeMinutes > 0 && Number.isFinite(timeMinutes))) {
    throw invalidInput(`timeMinutes must be more than 0, got ${timeMinutes}`, undefined, context);
  }
}
