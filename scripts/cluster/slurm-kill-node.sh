#!/usr/bin/env bash
# Kills one compute node of the cluster slurm-up.sh started, as a power cut would: its slurmd and every
# process of the jobs it runs (their slurmstepd and all they started) get SIGKILL at once, so no job
# on it writes another byte. slurmctld notices after SlurmdTimeout (COHORT_SLURMD_TIMEOUT), sets the
# node down and ends its jobs NODE_FAIL (or requeues those submitted --requeue). `slurm-up.sh` starts
# the node again. For tests of node failure; see docs/clusters.md.
#
#   slurm-kill-node.sh NODE     (with COHORT_SLURM_DIR as for slurm-up.sh)
set -euo pipefail

STATE="${COHORT_SLURM_DIR:-/var/tmp/cohort-slurm}"
# shellcheck source=slurm-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/slurm-lib.sh"
node="${1:?usage: slurm-kill-node.sh NODE}"
pidfile="$STATE/run/slurmd-$node.pid"
[[ -s "$pidfile" ]] || {
  echo "slurm-kill-node: no slurmd of node '$node' in $STATE (no $pidfile)" >&2
  exit 1
}

# The node's job steps: each slurmstepd listens on <spool>/<node>_<job>.<step>.
spool="$STATE/spool/$node/"
steps=$(ss -xlpn 2>/dev/null | awk -v spool="$spool" 'index($5, spool) == 1 { print $0 }' |
  grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)
# Their processes: every descendant (by parent), and everything in the node's cgroups (a task that
# daemonized has left the tree but not the cgroup).
victims=()
descendants() {
  local pid child
  for pid in "$@"; do
    victims+=("$pid")
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do descendants "$child"; done
  done
}
# shellcheck disable=SC2086
descendants $steps
for procs in $(find "/sys/fs/cgroup/freezer/slurm_$node" -name cgroup.procs 2>/dev/null); do
  while read -r pid; do victims+=("$pid"); done <"$procs"
done
alive "$pidfile" && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
((${#victims[@]} == 0)) || kill -KILL "${victims[@]}" 2>/dev/null || true
rm -f "$pidfile"
# The node's job cgroups are left empty: removed, so that a cluster started again from an empty folder
# (job ids from 1 again) does not find a job's cgroup of the dead node.
sleep 0.5
find "/sys/fs/cgroup/freezer/slurm_$node" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
echo "slurm-kill-node: killed slurmd of $node and ${#victims[@]} processes of its jobs"
