import { CohortError, invalidInput } from '../errors/cohort-error.js';

/** A tract file that cannot be read: names the file, the problem and what to do. */
export function badTractFile(path: string, problem: string, hint?: string): CohortError {
  return invalidInput(
    `${path} is not a readable tract file: ${problem}.`,
    hint ??
      'Check that the file is complete (not still being written or cut short by a copy) and of the format its extension says.',
    { path },
  );
}

/** Wraps a file-system error (missing file, permissions) into the taxonomy. */
export function fileError(path: string, error: unknown): CohortError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new CohortError('NOT_FOUND', `No such file: ${path}`, { hint: 'Check the path.', cause: error });
  }
  return new CohortError('FILESYSTEM', `Cannot read ${path}: ${(error as Error).message}`, {
    hint: 'Check the path and its permissions.',
    cause: error,
  });
}
