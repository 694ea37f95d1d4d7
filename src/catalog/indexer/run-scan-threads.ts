import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/open-database.js';
import { CohortError, ERROR_CODES, type ErrorCode } from '../../errors/cohort-error.js';
import { BatchWriter } from './batch-writer.js';
import type { IndexCounts } from './catalog-writer.js';
import { scanSubjects } from './scan-subjects.js';
import type { ScanJob, ScanMessage, ScanWarning, SerializedError } from './scan-types.js';

export interface ScanReport {
  onCounts(delta: IndexCounts): void;
  onWarnings(warnings: readonly ScanWarning[]): void;
}

/**
 * Runs scan jobs in worker threads, or the single job in-process on `db` when `inProcess` (small trees,
 * where starting a thread costs more than it saves). Scanning is syscall bound: with two threads one
 * walks the disk while the other writes.
 */
export async function runScanThreads(
  jobs: readonly ScanJob[],
  inProcess: { db: Db } | null,
  report: ScanReport,
  signal?: AbortSignal,
): Promise<void> {
  if (inProcess !== null) {
    for (const job of jobs) {
      signal?.throwIfAborted();
      const writer = new BatchWriter(
        inProcess.db,
        job.projectId,
        job.databasePath,
        job.busyTimeoutMs,
        null,
        (c) => report.onCounts(c),
      );
      scanSubjects(job, inProcess.db, {
        subject: (scan) => writer.subject(scan),
        analysis: (changes) => writer.analysis(changes),
        warn: (w) => report.onWarnings(w),
      });
      writer.flush();
    }
    return;
  }
  await Promise.all(jobs.map((job) => runWorker(job, report, signal)));
}

function runWorker(job: ScanJob, report: ScanReport, signal?: AbortSignal): Promise<void> {
  const worker = startWorker(job);
  return new Promise<void>((resolve, reject) => {
    const abort = (): void => {
      void worker.terminate();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('index aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: ScanMessage) => {
      switch (message.type) {
        case 'progress':
          report.onCounts(message.counts);
          break;
        case 'done':
          report.onWarnings(message.warnings);
          resolve();
          break;
        case 'failed':
          reject(revive(message.error));
          break;
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (code !== 0) reject(new Error(`scan thread exited with code ${code}`));
      resolve();
    });
  });
}

function revive(error: SerializedError): Error {
  if (error.code === undefined || !(ERROR_CODES as readonly string[]).includes(error.code))
    return new Error(error.message);
  return new CohortError(error.code as ErrorCode, error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: error.retryable ?? false,
  });
}

function startWorker(job: ScanJob): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    // The build bundles the thread's modules into one file (scripts/bundle-entries.sh): a thread then
    // starts loading one file instead of a score of ES modules; after a bare `tsc` it is stale.
    const bundle = new URL('./scan-worker.bundle.js', import.meta.url);
    const modules = new URL('./scan-worker.js', import.meta.url);
    const bundled = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    const entry = bundled >= (statSync(modules, { throwIfNoEntry: false })?.mtimeMs ?? 0) ? bundle : modules;
    return new Worker(entry, { workerData: job });
  }
  // Running from TypeScript sources (tests, tsx): register tsx's loader inside the thread first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./scan-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: job });
}
