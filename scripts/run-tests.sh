#!/usr/bin/env bash
# The test suite as `npm test` runs it, on the built tree, in two streams at once:
# - the cluster project (real Slurm and SGE daemons), which spends most of its time waiting on them
#   (scheduler passes, polls). Files that share a daemon run one at a time, so the Slurm-only and
#   SGE-only files run as two lines side by side, and the files that use both after them;
# - everything else: with --checks, the typecheck and lint first; then the unit, integration and web
#   projects, one file at a time (Vitest's default on two cores).
# One after the other they took 23 minutes on the two-core CI machine; this way about ten. Each cluster
# line's output goes to test-results/cluster-*.log and is printed when all are done, so nothing
# interleaves. Exits non-zero when any stream failed.
#
# Usage: scripts/run-tests.sh [--checks]   (the tree must be built: `npm run build`)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
checks=0
[[ "${1:-}" == --checks ]] && checks=1

# Files of the cluster project (vitest.config.ts) that use only Slurm's or only SGE's test cluster; any
# other cluster file runs in the last line, after both, so a new one is never left out.
SLURM_ONLY=(
  src/executors/slurm/slurm-executor.test.ts
  test/slurm-node-failure.test.ts
  test/slurm-accounting.test.ts
  test/library-batch.test.ts
)
SGE_ONLY=(
  src/executors/sge/sge-executor.test.ts
  test/sge-cluster-realism.test.ts
  test/sge-job-limit.test.ts
)

mkdir -p test-results
rm -f test-results/cluster-*.log
cluster_lines() {
  npx vitest run --project cluster "${SLURM_ONLY[@]}" >test-results/cluster-slurm.log 2>&1 &
  local slurm=$!
  npx vitest run --project cluster "${SGE_ONLY[@]}" >test-results/cluster-sge.log 2>&1 &
  local sge=$!
  local failed=0
  wait "$slurm" || failed=1
  wait "$sge" || failed=1
  local excluded=()
  for file in "${SLURM_ONLY[@]}" "${SGE_ONLY[@]}"; do excluded+=(--exclude "$file"); done
  npx vitest run --project cluster "${excluded[@]}" >test-results/cluster-both.log 2>&1 || failed=1
  return "$failed"
}
cluster_lines &
cluster=$!
# Ctrl-C or a CI timeout: the cluster lines go too (their jobs are the tests' own to clean up).
trap 'pkill -P "$cluster" 2>/dev/null; kill "$cluster" 2>/dev/null' INT TERM

main=0
if ((checks)); then
  npm run typecheck && npm run lint || main=$?
fi
if ((main == 0)); then
  npx vitest run --project unit --project integration --project web || main=$?
fi

wait "$cluster"
cluster_status=$?
for line in slurm sge both; do
  echo
  echo "── cluster project, $line (run beside the others) ──"
  cat "test-results/cluster-$line.log"
done
if ((main != 0 || cluster_status != 0)); then
  echo "tests failed: unit/integration/web exit $main, cluster exit $cluster_status" >&2
  exit 1
fi
