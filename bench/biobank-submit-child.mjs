// The runner's part of `cohort run` after resolution, in a fresh process over the built dist/: the batch
// resolved (timed apart), then the run created (createRun) and handed to a RunSupervisor, which submits
// it (startRun, as `cohort run` does); prints the times, the heap and RSS after each stage and the peak
// RSS as one JSON line. The tasks stay queued (the supervisor is closed, not the run).
import { readFileSync } from 'node:fs';
import { resolveConfig } from '../dist/config/resolve-config.js';
import { openCatalog } from '../dist/catalog/catalog.js';
import { findProject } from '../dist/catalog/project-store.js';
import { validateBatch } from '../dist/batches/batch-definition.js';
import { resolveBatch } from '../dist/batches/resolve-batch.js';
import { RunSupervisor, createRun } from '../dist/runs/index.js';

const [batchPath, queue] = process.argv.slice(2);
const peakMb = () =>
  Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const stages = [];
let last = performance.now();
let lastCpu = cpuMs();
const mark = (name) => {
  const now = performance.now();
  const cpu = cpuMs();
  const m = process.memoryUsage();
  stages.push({
    name,
    ms: now - last,
    cpuMs: cpu - lastCpu,
    heapMb: m.heapUsed / 2 ** 20,
    rssMb: m.rss / 2 ** 20,
    peakMb: peakMb(),
  });
  last = now;
  lastCpu = cpu;
};
const catalog = openCatalog(resolveConfig());
const project = findProject(catalog.db, 'biobank');
const batch = validateBatch(JSON.parse(readFileSync(batchPath, 'utf8')));
mark('opened');
const resolution = resolveBatch(catalog.db, project, batch);
mark('resolved');
const supervisor = new RunSupervisor(catalog);
const input = { batch, resolution, mode: 'chained', queue, owner: 'bench', selection: '*' };
const run = createRun(catalog, project, input);
mark('created');
await supervisor.start(run.runId);
mark('submitted');
// BENCH_HEAP_SNAPSHOT=FILE (with node --expose-gc): what the runner keeps once all are submitted.
if (process.env.BENCH_HEAP_SNAPSHOT) {
  globalThis.gc?.();
  console.error(
    `retained heap after submission: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`,
  );
  (await import('node:v8')).writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
}
await supervisor.poll();
mark('polled');
await supervisor.close();
catalog.close();
console.log(JSON.stringify({ runId: run.runId, tasks: run.tasks, stages }));
