import { readFileSync } from 'node:fs';
import { loadBatch, saveBatch, type BatchKey } from '../../batches/batch-store.js';
import type { BatchDefinition } from '../../batches/batch-definition.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { Project } from '../../catalog/project-store.js';
import { invalidInput, notFound } from '../../errors/cohort-error.js';
import { substituteTokens } from '../../jobs/python-command.js';
import { getTask } from '../store/task-store.js';
import { cellSource, CELL_TAGS, SCRIPT_MARKER } from './nbformat.js';
import { lineDiff } from './line-diff.js';

/** What saving a notebook's job cell back into its batch changes. */
export interface NotebookSave {
  readonly batch: Required<BatchKey>;
  readonly jobIndex: number;
  readonly jobName: string;
  readonly before: string;
  readonly after: string;
  /** Lines prefixed ' ', '-', '+'; empty when nothing changed. */
  readonly diff: string;
  /** Where the replaced definition was kept (after `apply`), e.g. `masks~1`. */
  readonly previous?: string;
}

/**
 * Compares the job cell of a notebook task's notebook with the job's script in its saved batch and,
 * with `apply`, saves the batch with the cell as the job's new script; the batch saved before is kept
 * as `<name>~N` (the first free N) next to it, so every save is a new version and none is lost.
 * Python code shows `f1` where the job says `$f1`: lines the user did not touch keep their `$f1`.
 *
 * @throws CohortError NOT_FOUND for an unknown notebook task or saved batch; INVALID_INPUT for a
 *   task that is no notebook task, a library job, or a notebook without its job cell.
 */
export function saveNotebookJob(
  catalog: Catalog,
  project: Project,
  notebookTask: number,
  options: { readonly batch?: BatchKey; readonly apply: boolean },
): NotebookSave {
  const task = getTask(catalog.db, notebookTask);
  if (task === undefined || task.project_id !== project.id)
    throw notFound(`There is no task ${notebookTask} in project '${project.name}'.`);
  const info = task.provenance.notebook;
  if (info === undefined)
    throw invalidInput(`Task ${notebookTask} is not a notebook task.`, 'Give the id `cohort debug` printed.');
  const { job } = task.provenance;
  if (job.language === undefined)
    throw invalidInput(
      `The job '${job.name}' is a library job: its code is not in the batch.`,
      'Edit the library job.',
    );
  const key = { folder: options.batch?.folder ?? '', name: options.batch?.name ?? info.batchName ?? '' };
  let saved: BatchDefinition;
  try {
    saved = loadBatch(catalog.db, project, key);
  } catch (cause) {
    throw notFound(
      `No saved batch '${key.folder === '' ? '' : `${key.folder}/`}${key.name}' to save the notebook's job into.`,
      'Name it with --batch FOLDER/NAME (`cohort batch list`).',
      { cause },
    );
  }
  const jobIndex = savedJobIndex(saved, job.name, info.jobIndex ?? 0);
  const before = saved.jobs[jobIndex]?.script ?? '';
  const edited = jobScript(info.path, job.language === 'matlab' ? '%' : '#');
  const after =
    job.language === 'python'
      ? restoreTokens(
          before,
          edited,
          job.args.map((a) => a.name),
        )
      : edited;
  const diff = before.trimEnd() === after.trimEnd() ? '' : lineDiff(before, after);
  const result = { batch: key, jobIndex, jobName: job.name, before, after, diff };
  if (!options.apply || diff === '') return result;
  const previous = freeVersionName(catalog, project, key);
  saveBatch(catalog.db, project, { ...saved, name: previous }, { folder: key.folder });
  const jobs = saved.jobs.map((j, i) => (i === jobIndex ? { ...j, script: after } : j));
  saveBatch(catalog.db, project, { ...saved, jobs }, { folder: key.folder });
  return { ...result, previous };
}

/** The job's script in a notebook: its job cell after the marker line. */
export function jobScript(notebookPath: string, comment: string): string {
  let cells: unknown;
  try {
    cells = (JSON.parse(readFileSync(notebookPath, 'utf8')) as { cells?: unknown }).cells;
  } catch (cause) {
    throw invalidInput(
      `The notebook ${notebookPath} cannot be read as JSON.`,
      'Save it from Jupyter again.',
      { cause },
    );
  }
  const cell = (
    Array.isArray(cells) ? (cells as { metadata?: { tags?: unknown }; source?: unknown }[]) : []
  ).find((c) => Array.isArray(c.metadata?.tags) && c.metadata.tags.includes(CELL_TAGS.job));
  if (cell === undefined)
    throw invalidInput(
      `The notebook ${notebookPath} has no cell tagged '${CELL_TAGS.job}'.`,
      'Put the tag back on the cell that holds the job (View > Cell Toolbar > Tags).',
    );
  const lines = cellSource(cell).split('\n');
  const marker = lines.findIndex((l) => l.trim() === `${comment} ${SCRIPT_MARKER}`);
  const body = marker < 0 ? lines.filter((l) => !l.startsWith('%%bash')) : lines.slice(marker + 1);
  return `${body.join('\n').trimEnd()}\n`;
}

// Lines the user left alone go back as the job had them (with `$f1`), the edited ones as written.
function restoreTokens(original: string, edited: string, names: readonly string[]): string {
  const byShown = new Map<string, string>();
  for (const line of original.split('\n')) {
    const shown = substituteTokens(line, names);
    if (!byShown.has(shown)) byShown.set(shown, line);
  }
  return edited
    .split('\n')
    .map((line) => byShown.get(line) ?? line)
    .join('\n');
}

function savedJobIndex(saved: BatchDefinition, name: string, index: number): number {
  if (saved.jobs[index]?.name === name) return index;
  const found = saved.jobs.flatMap((j, i) => (j.name === name ? [i] : []));
  if (found.length === 1) return found[0] as number;
  throw invalidInput(
    `The saved batch '${saved.name}' has ${found.length === 0 ? 'no' : 'several'} job(s) named '${name}'.`,
    'Give the batch the notebook was made from with --batch.',
  );
}

function freeVersionName(catalog: Catalog, project: Project, key: Required<BatchKey>): string {
  for (let n = 1; ; n++) {
    const name = `${key.name}~${n}`;
    try {
      loadBatch(catalog.db, project, { folder: key.folder, name });
    } catch {
      return name;
    }
  }
}
