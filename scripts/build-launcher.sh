#!/usr/bin/env bash
# Compiles the native task launcher (libexec/task-launcher.c with launcher-io.c) into dist/libexec/task-launcher, where
# src/executors/local/launcher.ts looks for it. Without a C compiler it says so and succeeds: the local
# executor then uses libexec/task-launcher.bash. Skips the compile when the binary is newer than its
# source (tests call this before using the native launcher). CC overrides the compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

src=libexec/task-launcher.c
sources=("$src" libexec/launcher-io.c libexec/launcher-io.h)
out=dist/libexec/task-launcher
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-launcher: no C compiler ($cc): the local executor will use libexec/task-launcher.bash" >&2
  exit 0
fi
fresh=1
for file in "${sources[@]}" "$0"; do [[ -x $out && $out -nt $file ]] || fresh=0; done
((fresh)) && exit 0
mkdir -p "$(dirname "$out")"
# Built beside and renamed into place: a launcher that runs from the old binary keeps running, and a
# concurrent build never leaves a half-written file.
tmp=$out.$$.tmp
trap 'rm -f "$tmp"' EXIT
"$cc" -std=c11 -O2 -Wall -Wextra -Werror -o "$tmp" "$src" libexec/launcher-io.c
mv -f "$tmp" "$out"
