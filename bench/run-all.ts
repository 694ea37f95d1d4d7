import { runIndexBench } from './index-bench.js';
import { runPreviewBench } from './preview-bench.js';
import { runRunnerBench } from './runner-bench.js';
import { runScaleBench } from './scale-bench.js';
import { runSelectBench } from './select-bench.js';
import { runServerBench } from './server-bench.js';
import { runSgeBench } from './sge-bench.js';
import { runTaskDiskBench } from './task-disk-bench.js';
import { runTractsBench } from './tracts-bench.js';
import { runSlurmBench } from './slurm-bench.js';
import { runViewerBench } from './viewer-bench.js';
import { runWebBench } from './web-bench.js';
import { runWriteStallBench } from './write-stall-bench.js';

// `npm run bench` runs every benchmark and rewrites its section of docs/benchmarks.md.
const home = runIndexBench();
runSelectBench(home);
runPreviewBench();
runScaleBench();
runRunnerBench();
runTaskDiskBench();
await runSlurmBench();
await runSgeBench();
await runServerBench();
await runWriteStallBench();
await runWebBench();
await runTractsBench();
await runViewerBench();
