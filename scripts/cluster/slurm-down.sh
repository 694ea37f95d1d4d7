#!/usr/bin/env bash
# Stops the single-node Slurm cluster that slurm-up.sh started: slurmd, slurmctld, then munged, each
# with SIGTERM, waiting until it is gone (SIGKILL after 15 s). Idempotent: what is not running is
# skipped. State stays in the folder (jobs survive a down/up, as on a real controller restart); remove
# $COHORT_SLURM_DIR to start clean. `--keep-munge` leaves munged running (used by slurm-up.sh).
set -euo pipefail

STATE="${COHORT_SLURM_DIR:-/var/tmp/cohort-slurm}"
keep_munge=0
[[ "${1:-}" == --keep-munge ]] && keep_munge=1

stop() {
  local name="$1" pidfile="$2" pid
  [[ -s "$pidfile" ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm-down: $name did not stop within 15 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

stop slurmd "$STATE/run/slurmd.pid"
stop slurmctld "$STATE/run/slurmctld.pid"
((keep_munge)) || stop munged "$STATE/munge/munged.pid"
echo "slurm-down: stopped (state kept in $STATE)"
