import { parentPort, workerData } from 'node:worker_threads';
import { scanSubjects } from './scan-subjects.js';
import type { ScanJob, ScanMessage } from './scan-types.js';

// Entry point of a scan thread: runs one ScanJob and streams its messages to the writer.
const port = parentPort;
if (port === null) throw new Error('scan-worker must run in a worker thread');
try {
  scanSubjects(workerData as ScanJob, (message) => port.postMessage(message));
  port.postMessage({ type: 'done' } satisfies ScanMessage);
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ScanMessage);
}
