import type { BatchPreview } from '../batches/batch-preview.js';
import { z } from 'zod';
import type { BatchDefinition, BatchLevel } from '../batches/batch-definition.js';
import type { BatchResolution } from '../batches/batch-resolution.js';
import type { BatchListEntry } from '../batches/batch-store.js';
import type { FileRow } from '../browse/browse-types.js';
import { SCRIPT_LANGUAGES, type JobDefinition } from '../jobs/job-definition.js';
import type { ArgumentRow } from '../jobs/script-variables.js';
import { TAG_LEVELS } from '../catalog/tags.js';
import { RUN_MODES } from '../runs/run-modes.js';
import { PROJECT_ROLES, type ProjectRole } from '../users/project-roles.js';

/**
 * The HTTP API's request and response shapes: zod schemas for what clients send (the server parses
 * every body and query with them) and types for what it answers. Everything is JSON under `/api`;
 * project-scoped routes are `/api/projects/:project/...` with the project's name. Errors are
 * `{ error: { code, message, fix } }` ({@link ApiError}) with 400/401/403/404/409/429/500.
 */

// ---- common ----

/** Every error response. `code` is stable (CohortError codes plus UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, INTERNAL). */
export interface ApiError {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly fix?: string;
    readonly field?: string;
    /** For SYNTAX errors: the 0-based offset of the bad term in the filter or selector text. */
    readonly position?: number;
  };
}

const count = z.coerce.number().int().min(0);
/** `?limit=&offset=` of every listing: limit 1..1000 (default 100). */
export const pageQuery = z.object({
  limit: count.max(1000).default(100),
  offset: count.default(0),
});

// ---- auth: POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me ----

/** POST /api/auth/login: sets the HttpOnly session cookie. 401 on a wrong name or password, 429 when rate-limited. */
export const loginBody = z.object({
  name: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});
export type LoginBody = z.infer<typeof loginBody>;

export interface UserInfo {
  readonly id: number;
  readonly name: string;
  /** Server-wide admin: manages users and every project. */
  readonly admin: boolean;
}
/** GET /api/auth/me (and the answer of login). */
export interface MeResponse {
  readonly user: UserInfo;
  /** How the request authenticated: a browser session, an API token or a job credential. */
  readonly via: 'session' | 'token' | 'job';
  readonly projects: readonly ProjectInfo[];
}

/** POST /api/auth/tokens: an API token for the CLI (`Authorization: Bearer ...`). */
export const createTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  /** Default 90 days; at most 10 years. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export interface TokenInfo {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
}
/** The token text is shown once, here; the server keeps only its hash. */
export interface CreatedToken extends TokenInfo {
  readonly token: string;
}
// GET /api/auth/tokens -> TokenInfo[]; DELETE /api/auth/tokens/:id -> { revoked: true }

// ---- users and roles (admin) ----

/** POST /api/users (server admin). */
export const createUserBody = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'use 1-64 letters, digits, . _ @ -'),
  password: z.string().min(8, 'at least 8 characters').max(1000),
  admin: z.boolean().default(false),
});
// GET /api/users (server admin) -> UserInfo[]

/** PUT /api/projects/:project/roles/:user (project admin). DELETE the same path revokes. */
export const grantRoleBody = z.object({ role: z.enum(PROJECT_ROLES) });
/** GET /api/projects/:project/roles (project admin). */
export interface RoleEntry {
  readonly user: string;
  readonly role: ProjectRole;
}

// ---- projects and catalog ----

/** GET /api/projects: only the projects the caller may read. */
export interface ProjectInfo {
  readonly id: number;
  readonly name: string;
  readonly layout: string;
  readonly role: ProjectRole;
}

/**
 * `?filter=` in the filter-bar language (`P00 & STAG:control`, `JOB:e`) plus paging; `count=false`
 * answers the page alone (`total: null`): the web table asks `.../subjects/count` separately.
 */
export const filterQuery = pageQuery.extend({
  filter: z.string().max(10_000).default(''),
  count: z.enum(['true', 'false']).default('true'),
  /**
   * Subjects only: the subject id before this page (the previous page's last row); the page starts
   * after it by index instead of counting `offset` rows, which then only says where the page stands.
   */
  after: z.string().min(1).max(1000).optional(),
});
/** GET .../subjects/count?filter= (and .../studies/count): the table's total alone. */
export interface CountResponse {
  readonly total: number;
}
/** GET /api/projects/:project/files adds `?pattern=` (a file pattern such as `t1*\/*.nii`). */
export const filesQuery = filterQuery.extend({ pattern: z.string().max(1000).optional() });

/** GET .../subjects -> Page<SubjectRow>; .../studies -> Page<StudyRow>; .../files -> Page<FileRow>; .../files/:fileId -> FileRow. */
export type { FileRow, JobIndicators, Page, StudyRow, SubjectRow } from '../browse/browse-types.js';
/**
 * GET .../files/:fileId/content: the bytes (`?download=1` as an attachment).
 * GET /api/projects/:project/file?path=REL: metadata of a file by its path relative to the root;
 * GET .../file/content?path=REL: its bytes. Paths never leave the project root (no `..`, no absolute
 * paths, no symbolic link out): 400 PATH_OUTSIDE_ROOT.
 */
export const pathQuery = z.object({ path: z.string().min(1).max(4096), download: z.string().optional() });
/** GET .../file?path=: the catalog's row when the file is registered, else what the disk says. */
export interface PathInfo {
  readonly rootPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly file: FileRow | null;
}

/** POST /api/projects/:project/tags: add or remove tags on items of one level (ids of this project). */
export const tagsBody = z.object({
  action: z.enum(['add', 'remove']),
  level: z.enum(TAG_LEVELS),
  ids: z.array(z.number().int().positive()).min(1).max(100_000),
  tags: z.array(z.string()).min(1).max(100),
});
export interface TagsResponse {
  readonly changed: number;
}

/** POST /api/projects/:project/files: register files already inside the project root (paths relative to it). */
export const addFilesBody = z.object({
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
  tags: z.array(z.string()).max(100).default([]),
});
/** One result per path (a bad path never stops the others). */
export type AddFilesResponse = ReadonlyArray<
  | { readonly input: string; readonly ok: true; readonly fileId: number; readonly path: string }
  | { readonly input: string; readonly ok: false; readonly error: string; readonly fix?: string }
>;

// ---- jobs and batches ----

/** GET /api/library: predefined jobs (`job` is ready to put into a batch). */
export interface LibraryEntry {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly requires: readonly string[];
  /** The tools it calls, with the versions it was tested with. */
  readonly tool?: string;
  /** One line of help per argument name. */
  readonly help: Readonly<Record<string, string>>;
  readonly job: JobDefinition;
}

/** POST /api/script-variables: the argument rows a script implies (`$f1` -> FILE...), for the composer. */
export const scriptVariablesBody = z.object({
  language: z.enum(SCRIPT_LANGUAGES),
  script: z.string().max(1_000_000),
});
export interface ScriptVariablesResponse {
  readonly rows: readonly ArgumentRow[];
}

/** GET /api/projects/:project/batches?folder=&favourites=1 -> BatchListEntry[]. */
export const batchListQuery = z.object({
  folder: z.string().max(500).optional(),
  favourites: z.enum(['0', '1', 'true', 'false']).optional(),
});
export type { BatchListEntry, BatchDefinition, BatchLevel, BatchResolution, JobDefinition };
/** GET /api/projects/:project/batches/:id. */
export interface BatchResponse {
  readonly entry: BatchListEntry;
  readonly batch: BatchDefinition;
}
/** POST /api/projects/:project/batches: save (replace by folder + name). `batch` is checked by validateBatch. */
export const saveBatchBody = z.object({
  batch: z.unknown(),
  folder: z.string().max(500).default(''),
  favourite: z.boolean().optional(),
});
/** POST /api/projects/:project/batches/:id/duplicate. */
export const duplicateBatchBody = z.object({
  name: z.string().min(1).max(200),
  folder: z.string().max(500).default(''),
});
/** PATCH /api/projects/:project/batches/:id: favourite flag, rename or move. */
export const updateBatchBody = z.object({
  favourite: z.boolean().optional(),
  name: z.string().min(1).max(200).optional(),
  folder: z.string().max(500).optional(),
});
// DELETE /api/projects/:project/batches/:id -> { deleted: true }

/** Which items a preview or run covers: a filter-bar text, selector terms, or (neither) all. */
export const itemsSchema = z.object({
  filter: z.string().max(10_000).optional(),
  selector: z.array(z.string().max(1000)).max(1000).optional(),
});
/**
 * POST /api/projects/:project/preview -> PreviewResponse: counts over every item, `limit` items (default
 * 1000) from `offset` in full.
 */
export const previewBody = itemsSchema.extend({
  batch: z.unknown(),
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(0).max(10_000).optional(),
});
/**
 * The preview (a page of items, counts over all; its `proposals` are generalised patterns for FILE
 * inputs some items miss), plus the interpreter each Python job will run with (its queue's).
 */
export type PreviewResponse = BatchPreview & {
  readonly interpreters: readonly { readonly job: string; readonly queue: string; readonly python: string }[];
};
/** POST /api/projects/:project/runs: create a run and start it on the server's local executor. */
export const runBody = itemsSchema.extend({
  batch: z.unknown(),
  mode: z.enum(RUN_MODES).default('chained'),
  units: z.number().int().min(1).max(100_000).optional(),
  /** Queue for jobs that name none (default: the project's default queue, else local). */
  queue: z.string().min(1).max(200).optional(),
});
export interface RunResponse {
  readonly runId: number;
  readonly tasks: number;
  readonly skipped: ReadonlyArray<{ readonly item: string; readonly reasons: readonly string[] }>;
}
/** POST /api/projects/:project/runs/:runId/rerun: the failed items of a run with a corrected batch (default: its own). */
export const rerunBody = z.object({
  batch: z.unknown().optional(),
  mode: z.enum(RUN_MODES).default('chained'),
  queue: z.string().min(1).max(200).optional(),
});
// -> RunResponse, or { runId: null, tasks: 0, skipped: [] } when nothing failed

// ---- grid and live updates: in api-grid-types.ts, re-exported here ----

export * from './api-grid-types.js';
export * from './api-admin-types.js';
export * from './api-operation-types.js';
export * from './api-qc-types.js';
export * from './api-plot-types.js';
