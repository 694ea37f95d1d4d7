import type { Catalog } from '../catalog/catalog.js';
import { getProjectById, type Project } from '../catalog/project-store.js';
import type { TaskProvenance } from './provenance.js';
import type { RunMode } from './run-modes.js';
import { runMode } from './store/run-store.js';
import { provenanceOf } from './store/new-tasks.js';

/**
 * Parsed provenances kept at most. A task's provenance is read when the next job's tasks are planned and
 * again when it ends; parsing and validating it each time took about 40 of the 600 ms Node spent on a
 * run of 1,000 trivial tasks. All of them kept, a run of 200,000 tasks held gigabytes; this many (a few
 * kB each) cover the tasks in flight of any run whose per-task cost matters.
 */
export const PROVENANCES_KEPT = 8192;

/**
 * What the engine reads again and again while it drives tasks: projects and run modes for as long as it
 * lives (they do not change), and the provenances of the latest tasks (they do not change either) until
 * newer ones take their place (PROVENANCES_KEPT).
 */
export class EngineLookups {
  private readonly projects = new Map<number, Project>();
  private readonly modes = new Map<number, RunMode>();
  private readonly provenances = new Map<number, TaskProvenance>();

  constructor(private readonly catalog: Catalog) {}

  /** A task's parsed provenance; throws DAMAGED_RECORD as `provenanceOf` does. */
  provenance(taskId: number): TaskProvenance {
    let p = this.provenances.get(taskId);
    if (p === undefined) {
      p = provenanceOf(this.catalog.db, taskId);
      this.keep(taskId, p);
    }
    return p;
  }

  /** Provenances the caller built itself (a chunk of a run it just created): taken as they are. */
  know(provenances: ReadonlyMap<number, TaskProvenance>): void {
    for (const [id, p] of provenances) this.keep(id, p);
  }

  private keep(taskId: number, provenance: TaskProvenance): void {
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.provenances.size >= PROVENANCES_KEPT && !this.provenances.has(taskId))
      this.provenances.delete(this.provenances.keys().next().value as number);
    this.provenances.set(taskId, provenance);
  }

  runMode(runId: number): RunMode {
    let mode = this.modes.get(runId);
    if (mode === undefined) {
      mode = runMode(this.catalog.db, runId);
      this.modes.set(runId, mode);
    }
    return mode;
  }

  project(id: number): Project {
    let p = this.projects.get(id);
    if (p === undefined) {
      p = getProjectById(this.catalog.db, id);
      this.projects.set(id, p);
    }
    return p;
  }
}
