#!/usr/bin/env bash
# Stops the cluster that slurm-up.sh started: every slurmd, slurmctld, slurmdbd, MariaDB, then munged,
# each with SIGTERM, waiting until it is gone (SIGKILL after 15 s; MariaDB gets 60 s to flush).
# Idempotent: what is not running is skipped. State stays in the folder (jobs and accounting survive a
# down/up, as on a real controller restart); remove $COHORT_SLURM_DIR to start clean. `--keep-munge`
# stops only slurmctld and the slurmd (used by slurm-up.sh when the configuration changed): munged and
# the accounting database keep running.
set -euo pipefail

STATE="${COHORT_SLURM_DIR:-/var/tmp/cohort-slurm}"
keep=0
[[ "${1:-}" == --keep-munge ]] && keep=1

# shellcheck source=slurm-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/slurm-lib.sh"

stop() {
  local name="$1" pidfile="$2" seconds="${3:-15}" pid
  [[ -s "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  # A stale file whose pid another process took is removed, never acted on.
  if alive "$pidfile"; then
    kill -TERM "$pid"
    for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm-down: $name did not stop within $seconds s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

# slurmd-<node>.pid for each node; slurmd.pid from the single-node layout of earlier versions.
for pidfile in "$STATE"/run/slurmd*.pid; do
  [[ -e "$pidfile" ]] && stop "$(basename "$pidfile" .pid)" "$pidfile"
done
stop slurmctld "$STATE/run/slurmctld.pid"
if ((!keep)); then
  stop slurmdbd "$STATE/run/slurmdbd.pid"
  stop mariadb "$STATE/db/mysqld.pid" 60
  stop munged "$STATE/munge/munged.pid"
fi
echo "slurm-down: stopped (state kept in $STATE)"
