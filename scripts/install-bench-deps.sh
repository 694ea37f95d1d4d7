#!/usr/bin/env bash
# Installs the peers the benchmarks compare against (Snakemake 7 from Debian). Idempotent: apt-get runs
# only when something is missing. Run as root or with sudo.
set -euo pipefail

missing=()
command -v snakemake >/dev/null 2>&1 || missing+=(snakemake)
if ((${#missing[@]} > 0)); then
  "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-bench-deps "${missing[@]}"
fi
