#!/usr/bin/env bash
# Installs the peers the benchmarks compare against (Snakemake 7 from Debian). Idempotent: apt-get runs
# only when something is missing. Run as root or with sudo.
set -euo pipefail

missing=()
command -v snakemake >/dev/null 2>&1 || missing+=(snakemake)
if ((${#missing[@]} > 0)); then
  sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  echo "install-bench-deps: installing ${missing[*]}"
  # Another apt-get (a second checkout's install, unattended upgrades) may hold the locks: wait for it
  # rather than fail. DPkg::Lock::Timeout covers dpkg's lock; the package lists' lock is retried here.
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=1200 update && break
    ((attempt < 10)) || exit 1
    sleep 30
  done
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1200 install -y --no-install-recommends "${missing[@]}"
fi
