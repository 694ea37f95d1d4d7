import type { Catalog } from '../catalog/catalog.js';
import { getProjectById, type Project } from '../catalog/project-store.js';
import type { TaskProvenance } from './provenance.js';
import type { RunMode } from './run-modes.js';
import { runMode } from './store/run-store.js';
import { provenanceOf } from './store/new-tasks.js';

/**
 * What the engine reads again and again while it drives tasks: projects and run modes for as long as it
 * lives (they do not change), task provenances only until `forgetProvenances` (kept for every task, a
 * run of 200,000 held gigabytes for nothing: a poll needs the provenance only of tasks that ended).
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
      this.provenances.set(taskId, p);
    }
    return p;
  }

  /** Provenances the caller built itself (a chunk of a run it just created): taken as they are. */
  know(provenances: ReadonlyMap<number, TaskProvenance>): void {
    for (const [id, p] of provenances) this.provenances.set(id, p);
  }

  /** Drops the provenances parsed so far: called at the end of each submit, poll and reconcile. */
  forgetProvenances(): void {
    this.provenances.clear();
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
