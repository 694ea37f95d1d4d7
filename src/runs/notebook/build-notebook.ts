import { bindArguments, wordOf, type BoundArgument } from '../../jobs/bind-arguments.js';
import { invalidInput } from '../../errors/cohort-error.js';
import type { TaskProvenance } from '../provenance.js';
import { codeCell, markdownCell, CELL_TAGS, type Notebook, type NotebookCell } from './nbformat.js';
import { octaveCells } from './octave-cells.js';
import { pythonCells } from './python-cells.js';

/** What the cells of one language are made from. */
export interface NotebookSource {
  readonly provenance: TaskProvenance;
  readonly bound: readonly BoundArgument[];
  /** The COHORT_* variables the in-job CLI reads (project, item, study, task). */
  readonly cohortEnv: Readonly<Record<string, string>>;
}

/** The setup, job and register cells' sources of one language. */
export interface LanguageCells {
  readonly setup: string;
  readonly job: string;
  readonly register: string;
}

/** Where the notebook came from, shown in its first cell and kept in its metadata. */
export interface NotebookOrigin {
  readonly item: string;
  /** The task it was made from, if any. */
  readonly sourceTask?: number;
}

/**
 * The notebook of one task (nbformat 4.5), built from its provenance: a title, a setup cell tagged
 * `parameters` (every resolved argument, the environment line, the COHORT_* variables), the job's code
 * (Python as it is; BASH in a `%%bash` cell that sees the same values as environment variables; MATLAB
 * in an Octave-kernel notebook) and a last cell registering the outputs with their tags through the
 * in-job CLI (`cohort add`). Values are written as literals of the cell's language (JSON strings for
 * Python, quotes doubled for Octave), never pasted as code.
 *
 * @throws CohortError INVALID_INPUT for a library job without a script language (its command is shown
 *   in a `%%bash` cell instead) never; for arguments that no longer fit the job.
 */
export function buildNotebook(provenance: TaskProvenance, origin: NotebookOrigin): Notebook {
  const { job } = provenance;
  const bound = bindArguments(job, provenance.arguments as Record<string, never>);
  const cohortEnv = Object.fromEntries(
    Object.entries(provenance.env).filter(([k]) => k.startsWith('COHORT_') && k !== 'COHORT_TOKEN'),
  );
  const source: NotebookSource = { provenance, bound, cohortEnv };
  const matlab = job.language === 'matlab';
  const cells: LanguageCells = matlab ? octaveCells(source) : pythonCells(source);
  const title = [
    `# ${markdownText(job.name)}: ${markdownText(origin.item)}`,
    '',
    origin.sourceTask === undefined
      ? 'Made by `cohort debug` from the batch job, before any run.'
      : `Made by \`cohort debug\` from task ${origin.sourceTask}.`,
    'Run the cells in order: the first sets up the values of the task, the second is the job, the last',
    'registers the outputs in the catalog. Edit the job cell, then `cohort debug save` makes it the',
    "job's script in the batch.",
  ].join('\n');
  const all: NotebookCell[] = [
    markdownCell('cohort-title', title),
    codeCell('cohort-setup', cells.setup, [CELL_TAGS.parameters, CELL_TAGS.setup]),
    codeCell('cohort-job', cells.job, [CELL_TAGS.job]),
    codeCell('cohort-register', cells.register, [CELL_TAGS.register]),
  ];
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: matlab
        ? { name: 'octave', display_name: 'Octave', language: 'octave' }
        : { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: matlab ? 'octave' : 'python' },
      cohort: {
        job: job.name,
        language: job.language ?? 'library',
        item: origin.item,
        ...(origin.sourceTask === undefined ? {} : { sourceTask: origin.sourceTask }),
      },
    },
    cells: all,
  };
}

/** The value every argument has in the environment of a BASH job (`f1`, `f1_count`, `f1_1`...). */
export function bashVariables(bound: readonly BoundArgument[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of bound) {
    env[arg.name] = wordOf(arg);
    if (arg.type !== 'FILE') continue;
    env[`${arg.name}_count`] = String(arg.value.length);
    arg.value.forEach((path, i) => (env[`${arg.name}_${i + 1}`] = path));
  }
  return env;
}

/** Refuses a notebook task as the source of another notebook: there is no job in it to debug. */
export function assertDebuggable(taskId: number, provenance: TaskProvenance): void {
  if (provenance.notebook !== undefined) {
    throw invalidInput(
      `Task ${taskId} is itself a notebook task (${provenance.notebook.mode}); it has no job to debug.`,
      `Debug the task it was made from${provenance.notebook.sourceTask === undefined ? '' : ` (task ${provenance.notebook.sourceTask})`}.`,
    );
  }
}

// A job or item name goes into the title as text: markdown's active characters are escaped.
function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!<>|-]/g, (c) => `\\${c}`);
}
