import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/open-database.js';
import { isCohortError } from '../../errors/cohort-error.js';
import { BatchWriter } from './batch-writer.js';
import { scanSubjects } from './scan-subjects.js';
import type { ScanJob, ScanMessage, ScanWarning } from './scan-types.js';
import { emptyCounts } from './catalog-writer.js';

// Entry point of a scan thread: scans and writes its share of the subjects on its own connection,
// reporting counts as it goes.
const port = parentPort;
if (port === null) throw new Error('scan-worker must run in a worker thread');
const job = workerData as ScanJob;
const post = (message: ScanMessage): void => port.postMessage(message);
try {
  const db = openDatabase(job.databasePath, { busyTimeoutMs: job.busyTimeoutMs });
  try {
    const warnings: ScanWarning[] = [];
    const writer = new BatchWriter(
      db,
      job.projectId,
      job.databasePath,
      job.busyTimeoutMs,
      new Int32Array(job.writeLock),
      (counts) => post({ type: 'progress', counts }),
    );
    scanSubjects(job, db, {
      subject: (scan) => writer.subject(scan),
      analysis: (changes) => writer.analysis(changes),
      warn: (w) => warnings.push(...w),
    });
    writer.flush();
    post({ type: 'done', counts: emptyCounts(), warnings });
  } finally {
    db.close();
  }
} catch (error) {
  const e = error as Error;
  post({
    type: 'failed',
    error: isCohortError(error)
      ? {
          message: error.message,
          code: error.code,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
          retryable: error.retryable,
        }
      : { message: e.stack ?? e.message },
  });
}
