/**
 * The few nbformat 4.5 shapes Cohort writes and reads back. Version 4.5 gives every cell an `id`,
 * which is what lets the save-back find the job's cell again after the user moved cells around.
 */

/** A code or markdown cell; `source` is kept as one string (nbformat allows a string or a list). */
export interface NotebookCell {
  readonly cell_type: 'code' | 'markdown';
  readonly id: string;
  readonly metadata: { readonly tags?: readonly string[] };
  readonly source: string;
  readonly outputs?: readonly unknown[];
  readonly execution_count?: number | null;
}

/** A notebook document. */
export interface Notebook {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  readonly metadata: {
    readonly kernelspec: { readonly name: string; readonly display_name: string; readonly language: string };
    readonly language_info: { readonly name: string };
    readonly cohort: Readonly<Record<string, unknown>>;
  };
  readonly cells: readonly NotebookCell[];
}

/** Tags Cohort puts on its cells: papermill's `parameters`, and its own to find the cells again. */
export const CELL_TAGS = {
  parameters: 'parameters',
  setup: 'cohort-setup',
  job: 'cohort-job',
  register: 'cohort-register',
} as const;

/** The line in the job's cell after which the job's own script starts (what save-back takes). */
export const SCRIPT_MARKER = "--- the job's script (saved back by `cohort debug save`) ---";

/** A code cell with tags. */
export function codeCell(id: string, source: string, tags: readonly string[]): NotebookCell {
  return { cell_type: 'code', id, metadata: { tags }, source, outputs: [], execution_count: null };
}

/** A markdown cell. */
export function markdownCell(id: string, source: string): NotebookCell {
  return { cell_type: 'markdown', id, metadata: {}, source };
}

/** A cell's source as one string, whichever of the two forms nbformat allows it has. */
export function cellSource(cell: { readonly source?: unknown }): string {
  const source = cell.source;
  if (Array.isArray(source)) return source.map(String).join('');
  return typeof source === 'string' ? source : '';
}
