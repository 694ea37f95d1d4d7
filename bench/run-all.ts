import { runIndexBench } from './index-bench.js';

// `npm run bench` runs every benchmark and rewrites its section of docs/benchmarks.md.
runIndexBench();
