import { isCohortError, type CohortError } from '../errors/cohort-error.js';
import type { TaskProvenance } from './provenance.js';
import type { TaskRow } from './store/task-store.js';
import type { TaskState } from './task-states.js';

/** A task whose stored provenance cannot be read, with the error that says why. */
export interface DamagedTask {
  readonly task: TaskRow;
  readonly error: CohortError;
}

/**
 * Splits tasks into those whose provenance reads and those whose stored record is damaged
 * (DAMAGED_RECORD: an edited row, another version's format). A damaged task cannot be run or finished,
 * but it must not stop the others: a server adopting the run would otherwise refuse to start. Other
 * errors are thrown.
 */
export function screenProvenance(
  tasks: readonly TaskRow[],
  read: (taskId: number) => TaskProvenance,
): { readonly readable: TaskRow[]; readonly damaged: DamagedTask[] } {
  const readable: TaskRow[] = [];
  const damaged: DamagedTask[] = [];
  for (const task of tasks) {
    const error = damageOf(() => read(task.id));
    if (error === undefined) readable.push(task);
    else damaged.push({ task, error });
  }
  return { readable, damaged };
}

/** The DAMAGED_RECORD error `read` throws, or undefined when it reads; other errors are thrown. */
export function damageOf(read: () => unknown): CohortError | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    if (isCohortError(error) && error.code === 'DAMAGED_RECORD') return error;
    throw error;
  }
}

/** A task's `onError`; `break` (the default) where its record is damaged: it ended in error there. */
export function onErrorOf(read: () => TaskProvenance): TaskProvenance['onError'] {
  let onError: TaskProvenance['onError'] = 'break';
  return damageOf(() => (onError = read().onError)) === undefined ? onError : 'break';
}

/** The task's error text (the grid shows it), and the line told on stderr. */
export function damagedText(damaged: DamagedTask): { readonly error: string; readonly line: string } {
  const { task, error } = damaged;
  const hint = error.hint === undefined ? '' : ` ${error.hint}`;
  return {
    error: `not run: ${error.message}${hint}`,
    line: `cohort: task ${task.id} of run ${task.run_id} (${task.item}, job ${task.job_name}) is marked in error: ${error.message}${hint}`,
  };
}

/**
 * Tells each damaged task on stderr (a server's log) and returns its end: in error, with the cause.
 * It never runs; one that ran already (adopted) ends in error too, its outputs unregistered, since
 * what it was to register is unknown.
 */
export function reportDamaged(
  damaged: readonly DamagedTask[],
): { readonly task: TaskRow; readonly state: TaskState; readonly error: string }[] {
  return damaged.map((d) => {
    const { error, line } = damagedText(d);
    console.error(line);
    return { task: d.task, state: 'error', error };
  });
}
