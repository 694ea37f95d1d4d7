import { isCohortError } from '../../errors/cohort-error.js';
import { databaseProblem } from '../../db/database-problem.js';
import type { Operation, OperationKind, OperationPhase, OperationProgress } from '../api-operation-types.js';

/** Ended operations kept for the page to read their outcome; older ones are forgotten. */
export const KEPT_OPERATIONS = 100;

/** What a running operation reports: its phase and the counts that changed. */
export type ProgressUpdate = Partial<Omit<OperationProgress, 'filesPerSecond' | 'elapsedMs'>> & {
  readonly phase: OperationPhase;
};

/** What an operation's work returns: its one-line summary and the warnings worth reading. */
export interface OperationOutcome {
  readonly summary: string;
  readonly warnings: readonly string[];
}

/** The long part of an operation, after its request was checked. */
export type OperationWork = (
  report: (update: ProgressUpdate) => void,
  signal: AbortSignal,
) => Promise<OperationOutcome>;

interface Entry {
  operation: Operation;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

const EMPTY: Omit<OperationProgress, 'phase'> = {
  filesSeen: 0,
  filesAdded: 0,
  filesChanged: 0,
  filesRemoved: 0,
  subjectsAdded: 0,
  studiesAdded: 0,
  dicomFound: 0,
  dicomConverted: 0,
  seriesPlaced: 0,
  seriesTotal: 0,
  filesPerSecond: 0,
  elapsedMs: 0,
};

/**
 * The server's running and recent project operations (create, rescan, import DICOM): each runs in the
 * server process after its request was checked and answered (202), reports progress the page polls,
 * and ends done, failed (with the error's code, message and fix) or cancelled. One at a time per
 * project: two indexers of one tree would only race each other.
 */
export class OperationRegistry {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;

  constructor(
    private readonly databasePath: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The running operation of a project, if any. */
  running(project: string): Operation | undefined {
    for (const e of this.entries.values())
      if (e.operation.project === project && e.operation.state === 'running') return e.operation;
    return undefined;
  }

  /** Starts `work` in the background and returns the operation as it starts. */
  start(
    kind: OperationKind,
    project: string,
    owner: string,
    phase: OperationPhase,
    work: OperationWork,
  ): Operation {
    const startedAt = this.now();
    const controller = new AbortController();
    const id = this.nextId++;
    const operation: Operation = {
      id,
      kind,
      project,
      owner,
      state: 'running',
      startedAt,
      endedAt: null,
      progress: { ...EMPTY, phase },
      summary: null,
      warnings: [],
      error: null,
    };
    const update = (change: Partial<Operation>): void => {
      const entry = this.entries.get(id);
      if (entry !== undefined) entry.operation = { ...entry.operation, ...change };
    };
    const report = (u: ProgressUpdate): void => {
      const current = this.entries.get(id)?.operation;
      if (current === undefined || current.state !== 'running') return;
      const progress = { ...current.progress, ...u, elapsedMs: this.now() - startedAt };
      update({ progress: { ...progress, filesPerSecond: rate(progress) } });
    };
    const done = Promise.resolve()
      .then(() => work(report, controller.signal))
      .then(
        (outcome) => {
          report({ phase: this.get(id)?.progress.phase ?? phase });
          update({ state: 'done', endedAt: this.now(), ...outcome });
        },
        (error: unknown) => {
          report({ phase: this.get(id)?.progress.phase ?? phase });
          update({
            state: controller.signal.aborted ? 'cancelled' : 'error',
            endedAt: this.now(),
            error: describeFailure(error, this.databasePath),
          });
        },
      )
      .finally(() => this.forgetOld());
    this.entries.set(id, { operation, controller, done });
    return operation;
  }

  get(id: number): Operation | undefined {
    return this.entries.get(id)?.operation;
  }

  /** Operations newest first, those of `owner` only unless undefined. */
  list(owner: string | undefined): Operation[] {
    return [...this.entries.values()]
      .map((e) => e.operation)
      .filter((o) => owner === undefined || o.owner === owner)
      .sort((a, b) => b.id - a.id);
  }

  /** Asks a running operation to stop; it ends `cancelled` once its work has let go. */
  cancel(id: number): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.operation.state !== 'running') return false;
    entry.controller.abort(new Error('cancelled'));
    return true;
  }

  /** Stops every running operation and waits for them (the server is closing). */
  async close(): Promise<void> {
    for (const e of this.entries.values()) e.controller.abort(new Error('the server is stopping'));
    await Promise.all([...this.entries.values()].map((e) => e.done));
  }

  private forgetOld(): void {
    const ended = [...this.entries.values()].filter((e) => e.operation.state !== 'running');
    for (const e of ended.slice(0, Math.max(0, ended.length - KEPT_OPERATIONS)))
      this.entries.delete(e.operation.id);
  }
}

/** Files per second of the phase's own count: converted DICOMs while converting, else indexed files. */
function rate(p: Omit<OperationProgress, 'filesPerSecond'>): number {
  const count = p.phase === 'converting' ? p.dicomConverted : p.filesSeen;
  return p.elapsedMs > 0 ? Math.round((count / p.elapsedMs) * 1000 * 10) / 10 : 0;
}

/** The error as the API would answer it: core errors with their fix, anything else without internals. */
function describeFailure(error: unknown, databasePath: string): NonNullable<Operation['error']> {
  const known = databaseProblem(error, databasePath) ?? error;
  if (isCohortError(known))
    return {
      code: known.code,
      message: known.message,
      ...(known.hint === undefined ? {} : { fix: known.hint }),
    };
  console.error('cohort server: an operation failed:', error);
  return {
    code: 'INTERNAL',
    message: 'The operation failed unexpectedly.',
    fix: 'The server log has the details.',
  };
}
