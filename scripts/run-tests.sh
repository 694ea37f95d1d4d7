#!/usr/bin/env bash
# The test suite as `npm test` runs it, in two streams at once on the built tree:
# - the cluster project (real Slurm and SGE daemons), whose files run one at a time because they share
#   the daemons, and which spends most of its ten minutes waiting on them (scheduler passes, polls);
# - everything else: with --checks, the typecheck and lint first; then the unit, integration and web
#   projects, one file at a time (Vitest's default on two cores).
# One after the other they took 23 minutes on the two-core CI machine; side by side, about the longer
# of the two. The cluster stream's output goes to test-results/cluster.log and is printed when both are
# done, so the two never interleave. Exits non-zero when either stream failed.
#
# Usage: scripts/run-tests.sh [--checks]   (the tree must be built: `npm run build`)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
checks=0
[[ "${1:-}" == --checks ]] && checks=1

mkdir -p test-results
cluster_log=test-results/cluster.log
npx vitest run --project cluster >"$cluster_log" 2>&1 &
cluster=$!
# Ctrl-C or a CI timeout: the cluster stream goes too, daemons' jobs are the tests' own to clean up.
trap 'kill "$cluster" 2>/dev/null' INT TERM

main=0
if ((checks)); then
  npm run typecheck && npm run lint || main=$?
fi
if ((main == 0)); then
  npx vitest run --project unit --project integration --project web || main=$?
fi

wait "$cluster"
cluster_status=$?
echo
echo "── cluster project (real Slurm and SGE), run beside the others ──"
cat "$cluster_log"
if ((main != 0 || cluster_status != 0)); then
  echo "tests failed: unit/integration/web exit $main, cluster exit $cluster_status" >&2
  exit 1
fi
