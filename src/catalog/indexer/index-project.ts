import { readdirSync } from 'node:fs';
import type { Catalog } from '../catalog.js';
import { CohortError } from '../../errors/cohort-error.js';
import { withBusyError } from '../../db/open-database.js';
import { DERIVATIVES } from '../layout/derivatives.js';
import { makeLayout } from '../layout/make-layout.js';
import type { Project } from '../project-store.js';
import { addCounts, CatalogWriter, emptyCounts, type IndexCounts } from './catalog-writer.js';
import { runScanThreads } from './run-scan-threads.js';
import type { ScanJob, ScanWarning } from './scan-types.js';

export interface IndexOptions {
  /** Scan only these top-level subject folders (nothing else is marked missing). Default: the whole tree. */
  readonly subjectFolders?: readonly string[];
  /** Scan threads; 1 scans in-process. Default: the config's scanThreads, 1 for small trees. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Called after each written batch with the counts so far. */
  readonly onProgress?: (counts: Readonly<IndexCounts>) => void;
}

export interface IndexResult {
  readonly project: string;
  readonly counts: IndexCounts;
  readonly warnings: readonly ScanWarning[];
  readonly durationMs: number;
  /** True when the previous index of this project never finished (this run completed it). */
  readonly resumedInterrupted: boolean;
}

// Below this many subject folders, starting threads costs more than it saves.
const MIN_SUBJECTS_PER_THREAD = 50;

/**
 * Indexes a project's folder tree into the catalog, incrementally: new files are added, changed files
 * updated, files no longer on disk marked missing (never deleted, so their tags survive). Safe to
 * interrupt and rerun: every write is an idempotent upsert.
 */
export async function indexProject(
  catalog: Catalog,
  project: Project,
  options: IndexOptions = {},
): Promise<IndexResult> {
  const started = performance.now();
  const { db, config } = catalog;
  const layout = makeLayout(project.layout, project.analysisFolder);
  const top = listRoot(project.root);
  const allSubjects = top.filter((name) => layout.subjectOf(name) !== null);
  const subjectFolders = options.subjectFolders ?? allSubjects;
  const analysisNames =
    options.subjectFolders === undefined && top.includes(project.analysisFolder)
      ? listRoot(`${project.root}/${project.analysisFolder}`)
      : [];
  // BIDS: derivatives/<pipeline>/ folders; their sub-* parts are read with each subject.
  const pipelines =
    project.layout === 'bids' && top.includes(DERIVATIVES) ? listRoot(`${project.root}/${DERIVATIVES}`) : [];

  const previous = db
    .prepare('SELECT finished_at FROM index_runs WHERE project_id = ? ORDER BY id DESC LIMIT 1')
    .pluck()
    .get(project.id) as number | null | undefined;
  const runId = withBusyError(config.databasePath, config.busyTimeoutMs, () =>
    Number(
      db.prepare('INSERT INTO index_runs (project_id, started_at) VALUES (?, ?)').run(project.id, Date.now())
        .lastInsertRowid,
    ),
  );

  const counts = emptyCounts();
  const warnings: ScanWarning[] = [];
  const threads = Math.max(
    1,
    Math.min(
      options.threads ?? config.scanThreads,
      Math.floor(subjectFolders.length / MIN_SUBJECTS_PER_THREAD),
    ),
  );
  const writeLock = new SharedArrayBuffer(4);
  const jobs = partition(subjectFolders, threads).map((folders, i): ScanJob => ({
    databasePath: config.databasePath,
    busyTimeoutMs: config.busyTimeoutMs,
    projectId: project.id,
    root: project.root,
    layout: project.layout,
    analysisFolder: project.analysisFolder,
    subjectFolders: folders,
    analysisNames: i === 0 ? analysisNames : [],
    pipelines,
    writeLock,
  }));
  await runScanThreads(
    jobs,
    threads === 1 ? { db } : null,
    {
      onCounts: (delta) => {
        addCounts(counts, delta);
        options.onProgress?.(counts);
      },
      onWarnings: (w) => warnings.push(...w),
    },
    options.signal,
  );
  const writer = new CatalogWriter(db, project.id, counts);
  if (options.subjectFolders === undefined) {
    withBusyError(config.databasePath, config.busyTimeoutMs, () =>
      writer.markSubjectsGone(new Set(allSubjects)),
    );
  }

  const durationMs = performance.now() - started;
  db.prepare('UPDATE index_runs SET finished_at = ?, summary = ? WHERE id = ?').run(
    Date.now(),
    JSON.stringify({ counts, warnings: warnings.length, durationMs }),
    runId,
  );
  return { project: project.name, counts, warnings, durationMs, resumedInterrupted: previous === null };
}

function listRoot(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new CohortError('FILESYSTEM', `Cannot list the folder ${dir}.`, {
      hint: 'Check that it exists and that this user may read it.',
      cause: error,
    });
  }
}

/** Splits subject folders round-robin, so threads get a similar mix of big and small subjects. */
function partition<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]?.push(item));
  return out;
}
