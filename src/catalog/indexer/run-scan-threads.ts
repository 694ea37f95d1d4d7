import { Worker } from 'node:worker_threads';
import { scanSubjects } from './scan-subjects.js';
import type { ScanJob, ScanMessage } from './scan-types.js';

/**
 * Runs scan jobs, each in its own worker thread (or in-process when `inProcess`), delivering every
 * message to `onMessage` on this thread. Scanning is syscall bound, so two threads on two cores
 * roughly halve the walk; the writer keeps this thread.
 */
export async function runScanThreads(
  jobs: readonly ScanJob[],
  inProcess: boolean,
  onMessage: (message: ScanMessage) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (inProcess) {
    for (const job of jobs) {
      signal?.throwIfAborted();
      scanSubjects(job, onMessage);
    }
    return;
  }
  await Promise.all(jobs.map((job) => runWorker(job, onMessage, signal)));
}

function runWorker(job: ScanJob, onMessage: (m: ScanMessage) => void, signal?: AbortSignal): Promise<void> {
  const worker = startWorker(job);
  return new Promise<void>((resolve, reject) => {
    const abort = (): void => {
      void worker.terminate();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('index aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: ScanMessage) => {
      if (message.type === 'failed') reject(new Error(message.message));
      else if (message.type === 'done') resolve();
      else onMessage(message);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (code !== 0) reject(new Error(`scan thread exited with code ${code}`));
      resolve();
    });
  });
}

function startWorker(job: ScanJob): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: job });
  // Running from TypeScript sources (tests, tsx): register tsx's loader inside the thread first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./scan-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: job });
}
