import { z } from 'zod';
import { LAYOUT_KINDS } from '../catalog/layout/layout.js';

// ---- project operations: create, rescan, import DICOM, run in the server with progress ----

/** The long project chores the web app starts and then watches (the CLI's create, rescan, import-dicom). */
export const OPERATION_KINDS = ['create', 'rescan', 'import-dicom'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
export const OPERATION_STATES = ['running', 'done', 'error', 'cancelled'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];
/** Indexing walks the tree; an import converts (dcm2niix), places the series, then indexes them. */
export const OPERATION_PHASES = ['indexing', 'converting', 'placing'] as const;
export type OperationPhase = (typeof OPERATION_PHASES)[number];

/** How far an operation is. Counts are those of its current phase and of the index so far. */
export interface OperationProgress {
  readonly phase: OperationPhase;
  /** Files the indexer saw so far (added, changed and unchanged). */
  readonly filesSeen: number;
  readonly filesAdded: number;
  readonly filesChanged: number;
  readonly filesRemoved: number;
  readonly subjectsAdded: number;
  readonly studiesAdded: number;
  /** Import: DICOM files dcm2niix found (0 until it has listed them) and converted. */
  readonly dicomFound: number;
  readonly dicomConverted: number;
  /** Import: series placed into the project, of all converted. */
  readonly seriesPlaced: number;
  readonly seriesTotal: number;
  /** Files of the current phase per second (indexed files, or DICOM files converted). */
  readonly filesPerSecond: number;
  readonly elapsedMs: number;
}

/** One operation as the page sees it (GET /api/operations/:id). */
export interface Operation {
  readonly id: number;
  readonly kind: OperationKind;
  readonly project: string;
  readonly owner: string;
  readonly state: OperationState;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly progress: OperationProgress;
  /** One line saying what it did, once done. */
  readonly summary: string | null;
  /** Warnings worth reading (scan problems, dcm2niix's remarks, series that could not be placed). */
  readonly warnings: readonly string[];
  /** Why it failed (the same shape as an API error), once failed. */
  readonly error: { readonly code: string; readonly message: string; readonly fix?: string } | null;
}

/** GET /api/operations: the caller's operations, newest first (a server admin sees everyone's). */
export interface OperationsResponse {
  readonly operations: readonly Operation[];
}

/** POST /api/operations/create (server admin): register a folder as a project and index it. -> 202 Operation. */
export const createOperationBody = z
  .object({
    name: z.string().min(1).max(200),
    root: z.string().min(1).max(4096),
    layout: z.enum(['auto', ...LAYOUT_KINDS]).default('auto'),
  })
  .strict();

/**
 * POST /api/projects/:project/operations/import-dicom (run role): convert a folder of DICOM files on
 * the server into the project. `source` must lie inside COHORT_IMPORT_ROOTS (server admins: anywhere
 * but Cohort's own folders). -> 202 Operation.
 */
export const importDicomBody = z
  .object({
    source: z.string().min(1).max(4096),
    subject: z.string().min(1).max(200).optional(),
    study: z.string().min(1).max(200).optional(),
  })
  .strict();
