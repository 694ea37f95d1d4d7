import { runIndexBench } from './index-bench.js';
import { runSelectBench } from './select-bench.js';

// `npm run bench` runs every benchmark and rewrites its section of docs/benchmarks.md.
const home = runIndexBench();
runSelectBench(home);
