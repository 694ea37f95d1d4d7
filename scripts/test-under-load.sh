#!/usr/bin/env bash
# Runs the test suite several times in a row while every core is kept busy, to find tests that only
# pass on an idle machine (issue 10: "npm test passes ten times in a row on a loaded machine").
# The load is one busy loop per core at the lowest priority but one, so the tests compete with it
# the way they compete with other users' jobs on a shared machine.
#
# Usage: scripts/test-under-load.sh [ROUNDS] [VITEST ARGS...]
#   ROUNDS       how many rounds (default 10)
#   VITEST ARGS  passed to `vitest run`, e.g. `--project unit` (default: scripts/run-tests.sh, every
#                project as `npm test` runs them, without its typecheck and lint)
# Builds once first. Writes one line per round to test-results/under-load.tsv (round, exit code,
# seconds, load average at the end) and stops at the first failing round, whose output it keeps in
# test-results/under-load-ROUND.log.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-10}"
shift || true
mkdir -p test-results
summary=test-results/under-load.tsv
printf 'round\texit\tseconds\tload\n' >"$summary"

burners=()
stop_load() { ((${#burners[@]} > 0)) && kill "${burners[@]}" 2>/dev/null; }
trap stop_load EXIT
for _ in $(seq "$(nproc)"); do
  nice -n 15 bash -c 'while :; do :; done' &
  burners+=("$!")
done

npm run build >/dev/null || exit 1
for round in $(seq "$rounds"); do
  log="test-results/under-load-$round.log"
  start=$(date +%s)
  if (($# > 0)); then npx vitest run "$@" >"$log" 2>&1; else bash scripts/run-tests.sh >"$log" 2>&1; fi
  code=$?
  printf '%s\t%s\t%s\t%s\n' "$round" "$code" "$(($(date +%s) - start))" "$(cut -d' ' -f1 /proc/loadavg)" >>"$summary"
  if ((code != 0)); then
    echo "round $round failed: $log" >&2
    exit "$code"
  fi
  rm -f "$log"
done
cat "$summary"
