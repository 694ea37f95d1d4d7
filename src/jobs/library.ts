import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_ROOT } from '../config/install-root.js';
import { invalidInput, notFound } from '../errors/cohort-error.js';
import type { JobDefinition } from './job-definition.js';
import { parseLibraryJob, type LibraryJob } from './library-job.js';

export type { LibraryJob } from './library-job.js';

/**
 * The predefined jobs shipped with cohort: the top-level `library/` folder. Found from this module's
 * place, which is `src/jobs/` when run from source and `dist/jobs/` when built: both two levels down.
 */
export const BUNDLED_LIBRARY_DIR = `${join(INSTALL_ROOT, 'library')}/`;

/**
 * Where predefined jobs are looked for: the bundled library, then the user's library folder
 * (`CohortConfig.libraryDir`: `$COHORT_LIBRARY`, default `$COHORT_HOME/library`), the one place the
 * CLI, runs and the server all read.
 */
export function defaultLibraryDirs(libraryDir: string): string[] {
  return [BUNDLED_LIBRARY_DIR, libraryDir];
}

/**
 * Reads every `*.json` file under the folders (subfolders included; missing folders are skipped, as
 * the user library usually is), sorted by id.
 *
 * @throws CohortError INVALID_INPUT naming each bad file and its problems (unreadable JSON, a field
 *   of the wrong shape, an unknown placeholder...), or two files declaring the same id.
 */
export function loadLibrary(dirs: readonly string[]): LibraryJob[] {
  const jobs = new Map<string, LibraryJob>();
  const problems: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.json'))
      .sort();
    for (const name of files) {
      const file = join(dir, name);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        problems.push(`library file ${file}: not valid JSON (${(error as Error).message}) — fix its syntax`);
        continue;
      }
      const job = parseLibraryJob(json, file);
      if ('problems' in job) {
        problems.push(...job.problems.map((problem) => `library file ${file}: ${problem}`));
        continue;
      }
      const other = jobs.get(job.id);
      if (other !== undefined) {
        problems.push(
          `library file ${file}: id '${job.id}' is also declared by ${other.file} — give one a new id`,
        );
        continue;
      }
      jobs.set(job.id, job);
    }
  }
  if (problems.length > 0) {
    throw invalidInput(problems.join('\n'), 'Fix or remove the library files named above.', { problems });
  }
  return [...jobs.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The predefined job with this id, from `jobs` (default: the bundled library only; callers with a
 * configuration pass `loadLibrary(defaultLibraryDirs(config.libraryDir))`).
 *
 * @throws CohortError NOT_FOUND listing the known ids.
 */
export function libraryJob(
  id: string,
  jobs: readonly LibraryJob[] = loadLibrary([BUNDLED_LIBRARY_DIR]),
): LibraryJob {
  const job = jobs.find((j) => j.id === id);
  if (job === undefined) {
    throw notFound(
      `No predefined job '${id}'.`,
      `Known: ${jobs.map((j) => j.id).join(', ') || 'none'}. Add your own as JSON under $COHORT_HOME/library (or $COHORT_LIBRARY).`,
      { id },
    );
  }
  return job;
}

/**
 * Checks that every library job a batch names exists, before a preview calls it ready or a run starts.
 *
 * @throws CohortError NOT_FOUND naming the job and the known ids.
 */
export function checkLibraryJobs(
  jobs: readonly Pick<JobDefinition, 'name' | 'library' | 'level'>[],
  library: readonly LibraryJob[],
): void {
  for (const job of jobs) {
    if (job.library === undefined) continue;
    const entry = libraryJob(job.library, library);
    // A group job run per item would get one study's files where it expects the cohort's lists.
    if (entry.level === 'group' && job.level !== 'group') {
      throw invalidInput(
        `Job '${job.name}' uses the group-level library job '${entry.id}' without "level": "group".`,
        'Add "level": "group" to the job so that it runs once over all items (with the lists of their files).',
        { job: job.name, library: entry.id },
      );
    }
  }
}

/** A new job of a batch from a predefined one: its name, id, level and argument templates to complete. */
export function libraryJobDefinition(entry: LibraryJob): JobDefinition {
  return {
    name: entry.name,
    library: entry.id,
    ...(entry.level === undefined ? {} : { level: entry.level }),
    args: entry.args,
  };
}
