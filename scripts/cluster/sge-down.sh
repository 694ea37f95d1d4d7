#!/usr/bin/env bash
# Stops the SGE of sge-up.sh: both execution daemons, then the master (qconf -ke / -km, so each shuts
# down cleanly and keeps its spool), falling back to SIGTERM on their pid files, and removes the second
# host's network namespace. Running jobs are killed with the execds. Idempotent: nothing running is
# fine. Packages and configuration stay; sge-up.sh starts the daemons again. Run as root, with the
# same COHORT_SGE_DIR and COHORT_SGE_PORT as sge-up.sh (see there).
set -euo pipefail

STATE=${COHORT_SGE_DIR:-}
PORT=${COHORT_SGE_PORT:-6444}
if [[ -n $STATE ]]; then
  export SGE_ROOT=$STATE/root
  QMASTER_PID=$STATE/qmaster/qmaster.pid EXECD_SPOOL=$STATE/execd
else
  export SGE_ROOT=/var/lib/gridengine
  QMASTER_PID=/var/spool/gridengine/qmaster/qmaster.pid EXECD_SPOOL=/var/spool/gridengine/execd
fi
export SGE_CELL=default SGE_QMASTER_PORT=$PORT SGE_EXECD_PORT=$((PORT + 1))
PATH=/usr/lib/gridengine:$PATH
NETNS=cohort-sge-$PORT VETH_HOST=csge${PORT}h

[[ "$(id -u)" == 0 ]] || { echo "sge-down: run as root" >&2; exit 1; }
command -v qconf >/dev/null 2>&1 || { echo "sge-down: SGE is not installed; nothing to stop"; exit 0; }

# shellcheck source=sge-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/sge-lib.sh"
running() { daemon_alive "$1"; }
stop() { # name pid-file qconf-args...
  local name=$1 pidfile=$2 i
  shift 2
  running "$pidfile" || return 0
  echo "sge-down: stopping $name"
  qconf "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < 40; i++)); do
    running "$pidfile" || return 0
    ((i == 20)) && kill -TERM "$(cat "$pidfile")" 2>/dev/null
    sleep 0.5
  done
  kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
}

# Each execd's spool folder is named after its host.
for pidfile in "$EXECD_SPOOL"/*/execd.pid; do
  host=$(basename "$(dirname "$pidfile")")
  stop "sge_execd on $host" "$pidfile" -ke "$host"
done
stop sge_qmaster "$QMASTER_PID" -km
# Whatever still runs in the second host's namespace (jobs of a killed execd) ends with it.
if [[ -e /run/netns/$NETNS ]]; then
  for pid in $(ip netns pids "$NETNS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns delete "$NETNS" 2>/dev/null || true
fi
ip link delete "$VETH_HOST" 2>/dev/null || true
echo "sge-down: stopped"
