import { defineConfig } from 'vitest/config';

/**
 * Four projects, so a developer gets unit feedback in seconds (`npx vitest --project unit`):
 * - unit: `src/**\/*.test.ts`, in-process (SQLite in a temp folder, the in-memory executor)
 * - integration: real processes and tools (the built CLI, the local executor, dcm2niix, MRtrix3,
 *   Octave, Python): `test/*.test.ts` and `src/**\/*.int.test.ts`
 * - cluster: real Slurm and SGE daemons on loopback
 * - web: the browser app in Debian's Chromium
 */
const CLUSTER = [
  'src/executors/slurm/slurm-executor.test.ts',
  'src/executors/sge/sge-executor.test.ts',
  'test/cluster-run.test.ts',
  'test/slurm-node-failure.test.ts',
  'test/slurm-accounting.test.ts',
  'test/debug-notebook-cluster.test.ts',
  'test/cluster-group-run.test.ts',
  'test/library-batch.test.ts',
  'test/examples.test.ts',
  'test/sge-cluster-realism.test.ts',
  'test/sge-job-limit.test.ts',
];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Integration tests spawn the built CLI and real processes; two cores is the CI machine.
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          // In-process tests need no process of their own: threads start faster than forks.
          pool: 'threads',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts', ...CLUSTER],
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/*.test.ts', 'src/**/*.int.test.ts'],
          exclude: CLUSTER,
        },
      },
      { test: { ...shared, name: 'cluster', include: CLUSTER } },
      { test: { ...shared, name: 'web', include: ['test/web/**/*.test.ts'] } },
    ],
  },
});
