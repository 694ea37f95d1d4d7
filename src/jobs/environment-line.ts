/**
 * Shell lines that run a job's environment line (`module load fsl`, `conda activate dti`: the user's
 * own shell code, so it is the one text that runs as written) and stop the task when it fails, since
 * the job would otherwise run without its tools and fail later with a less helpful message.
 */
export function environmentLines(environment: string | undefined): string[] {
  if (environment === undefined || environment.trim() === '') return [];
  return [
    "# The job's environment line:",
    environment,
    'cohort_status=$?',
    'if [ "$cohort_status" -ne 0 ]; then',
    '  echo "cohort: the environment line failed with exit status $cohort_status" >&2',
    '  exit "$cohort_status"',
    'fi',
  ];
}

/**
 * `argv` run after the environment line in the same bash, so what it sets up (PATH, variables) reaches
 * the program. The words of `argv` are positional parameters of `bash -c` and run with `exec "$@"`:
 * they are never read as shell code. Without an environment line, `argv` itself.
 */
export function withEnvironment(environment: string | undefined, argv: readonly string[]): string[] {
  const lines = environmentLines(environment);
  if (lines.length === 0) return [...argv];
  return ['/bin/bash', '-c', [...lines, 'exec "$@"'].join('\n'), 'cohort-environment', ...argv];
}
