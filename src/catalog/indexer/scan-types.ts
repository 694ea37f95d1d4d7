import type { LayoutKind } from '../layout/layout.js';
import type { IndexCounts } from './catalog-writer.js';

/** A regular file seen on disk. `path` is relative to its study (or analysis) folder. */
export interface ScannedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** BIDS entities as JSON text, or null. */
  readonly entities: string | null;
}

export const SCAN_PROBLEMS = [
  'unreadable',
  'symlink-outside-root',
  'symlink-loop',
  'broken-symlink',
] as const;
export type ScanProblem = (typeof SCAN_PROBLEMS)[number];

/** Something the scan could not index; the scan goes on and reports these at the end. */
export interface ScanWarning {
  /** Path relative to the project root. */
  readonly path: string;
  readonly problem: ScanProblem;
  readonly detail: string;
}

/** The difference between one study (or analysis) folder on disk and the catalog. */
export interface ContainerChanges {
  readonly kind: 'study' | 'analysis';
  /** Study id, or analysis name. */
  readonly name: string;
  /** Folder relative to the project root. */
  readonly folder: string;
  /** New, changed and reappeared files: written with one upsert each. */
  readonly upserts: readonly ScannedFile[];
  readonly added: number;
  readonly changed: number;
  readonly unchanged: number;
  /** Paths in the catalog that are no longer on disk: marked missing, tags kept. */
  readonly removed: readonly string[];
  /** A subject's own container (BIDS files beside its sessions), not a study. */
  readonly subjectLevel?: boolean;
  /** The study's order key when the layout knows its time (BIDS sessions.tsv acq_time). */
  readonly sortKey?: string;
}

/** One subject's scan, sent from a scan thread to the writer. */
export interface SubjectScan {
  readonly pid: string;
  readonly folder: string;
  readonly studies: readonly ContainerChanges[];
  /** Study ids in the catalog whose folders are gone (only when the subject folder was listed fully). */
  readonly goneStudies: readonly string[];
  /**
   * True when the catalog already holds this subject and its studies, present, and no file changed:
   * the writer then writes nothing (a no-change rescan stays a read-only pass).
   */
  readonly unchanged: boolean;
}

/** What a scan thread is asked to do. Plain data: it crosses a worker_threads boundary. */
export interface ScanJob {
  readonly databasePath: string;
  readonly busyTimeoutMs: number;
  readonly projectId: number;
  readonly root: string;
  readonly layout: LayoutKind;
  readonly analysisFolder: string;
  /** Top-level subject folder names to scan. */
  readonly subjectFolders: readonly string[];
  /** Analysis folder names (under `<root>/<analysisFolder>/`) to scan. */
  readonly analysisNames: readonly string[];
  /**
   * BIDS: the pipelines under `derivatives/`. Each study's files there are scanned with the study
   * (`derivatives/<pipeline>/...` paths); an analysis folder of a BIDS project skips its `sub-*` folders.
   */
  readonly pipelines: readonly string[];
  /** One Int32 shared by all scan threads: a mutex so that only one writes at a time. */
  readonly writeLock: SharedArrayBuffer;
}

/** Messages from a scan thread to the coordinating thread. Counts are deltas since the last message. */
export type ScanMessage =
  | { readonly type: 'progress'; readonly counts: IndexCounts }
  | { readonly type: 'done'; readonly counts: IndexCounts; readonly warnings: readonly ScanWarning[] }
  | { readonly type: 'failed'; readonly error: SerializedError };

/** A CohortError flattened to cross the thread boundary. */
export interface SerializedError {
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
  readonly retryable?: boolean;
}
