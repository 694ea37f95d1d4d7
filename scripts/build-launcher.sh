#!/usr/bin/env bash
# Compiles the native programs of libexec/ into dist/libexec/:
# - task-launcher (task-launcher.c with launcher-io.c), where src/executors/local/launcher.ts looks for it;
#   without it the local executor uses libexec/task-launcher.bash;
# - cohort-client (cohort-client.c), the `cohort` of a job's PATH (src/runs/task-environment.ts): in-job
#   commands over the run owner's socket; without it the job's `cohort` starts the Node CLI directly.
# Without a C compiler it says so and succeeds: both have those fallbacks. Skips a compile when the
# binary is newer than its sources (tests call this before using the native programs). CC overrides the
# compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-launcher: no C compiler ($cc): the local executor will use libexec/task-launcher.bash, jobs the Node CLI" >&2
  exit 0
fi

# build OUT SOURCE... (headers among the sources count for freshness only)
build() {
  local out=$1
  shift
  local fresh=1 file
  for file in "$@" "$0"; do [[ -x $out && $out -nt $file ]] || fresh=0; done
  ((fresh)) && return 0
  mkdir -p "$(dirname "$out")"
  # Built beside and renamed into place: a process that runs from the old binary keeps running, and a
  # concurrent build never leaves a half-written file.
  local tmp=$out.$$.tmp
  local sources=()
  for file in "$@"; do [[ $file == *.c ]] && sources+=("$file"); done
  if ! "$cc" -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp" "${sources[@]}"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$out"
}

build dist/libexec/task-launcher libexec/task-launcher.c libexec/launcher-io.c libexec/launcher-io.h \
  libexec/launcher-queue.c libexec/launcher-queue.h
build dist/libexec/cohort-client libexec/cohort-client.c
