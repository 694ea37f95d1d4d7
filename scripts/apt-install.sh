#!/usr/bin/env bash
# Installs Debian packages for the project's install scripts: scripts/apt-install.sh WHO PACKAGE...
# (WHO names the calling script in messages). As root, or through sudo. Another apt-get (a second
# checkout's install, unattended upgrades) may hold apt's locks: it waits for that one rather than fail;
# DPkg::Lock::Timeout covers dpkg's lock, the package lists' lock is retried here.
set -euo pipefail
who="$1"
shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: missing $* and no apt-get here; install them by hand." >&2
  exit 1
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "$who: missing $*; run this script as root to install them." >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "$who: installing $*"
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=1200 update && break
  ((attempt < 10)) || exit 1
  sleep 30
done
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1200 install -y \
  --no-install-recommends "$@"
