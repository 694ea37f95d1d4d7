#!/usr/bin/env bash
# Stops the single-node SGE of sge-up.sh: the execution daemon, then the master (qconf -ke / -km, so
# each shuts down cleanly and keeps its spool), falling back to SIGTERM on their pid files. Running
# jobs are killed with the execd. Idempotent: nothing running is fine. Packages and configuration stay;
# sge-up.sh starts the daemons again. Run as root.
set -euo pipefail

export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
PATH=/usr/lib/gridengine:$PATH
QMASTER_PID=/var/spool/gridengine/qmaster/qmaster.pid
EXECD_SPOOL=/var/spool/gridengine/execd

[[ "$(id -u)" == 0 ]] || { echo "sge-down: run as root" >&2; exit 1; }
command -v qconf >/dev/null 2>&1 || { echo "sge-down: SGE is not installed; nothing to stop"; exit 0; }

running() { [[ -r $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
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

for pidfile in "$EXECD_SPOOL"/*/execd.pid; do stop sge_execd "$pidfile" -ke "$(hostname)"; done
stop sge_qmaster "$QMASTER_PID" -km
echo "sge-down: stopped"
