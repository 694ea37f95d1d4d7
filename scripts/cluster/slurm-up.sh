#!/usr/bin/env bash
# Starts a single-node Slurm cluster on loopback for tests, benchmarks and developers: munged, slurmctld
# and slurmd, all state under one folder. Idempotent: installs slurm-wlm and munge with apt-get only when
# missing, keeps a running cluster running (restarting only what is down), and returns once `sinfo`
# shows the node idle. Fails loudly, with the daemons' logs, otherwise. Run as root (a container is
# fine: no cgroups, no systemd). See docs/clusters.md.
#
# Environment:
#   COHORT_SLURM_DIR    state folder (config, logs, spool, munge socket); default /var/tmp/cohort-slurm
#   COHORT_SLURM_CPUS   CPUs the node offers; default max(nproc, 4), so short test jobs do not queue
#                       behind each other on a 2-core machine (slurmd is told to believe the config)
#   COHORT_SLURM_PORT   slurmctld port; slurmd uses the next one; default 6817
#
# Client commands find the cluster through SLURM_CONF=$COHORT_SLURM_DIR/slurm.conf; where
# /etc/slurm/slurm.conf is absent it is linked there as well, so a plain `sinfo` works.
set -euo pipefail

STATE="${COHORT_SLURM_DIR:-/var/tmp/cohort-slurm}"
PORT="${COHORT_SLURM_PORT:-6817}"
CONF="$STATE/slurm.conf"
SOCKET="$STATE/munge/munge.socket.2"
export SLURM_CONF="$CONF"

die() {
  echo "slurm-up: $*" >&2
  for log in "$STATE/munge/munged.log" "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log"; do
    [[ -f "$log" ]] && { echo "--- last lines of $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

[[ "$(id -u)" == 0 ]] || die "run as root: slurmd starts jobs as their users and needs to"

missing=()
command -v slurmctld >/dev/null 2>&1 || missing+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || missing+=(slurmd)
command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
command -v munged >/dev/null 2>&1 || missing+=(munge)
if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get here; install Slurm by hand"
  echo "slurm-up: installing slurm-wlm munge"
  # Without a package list (a fresh container) the install finds nothing.
  if ! apt-cache show slurm-wlm >/dev/null 2>&1; then apt-get update; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge
fi

mkdir -p "$STATE"/{log,run,ctld,spool}
mkdir -p "$STATE/munge"
chown munge:munge "$STATE/munge"
chmod 0755 "$STATE/munge" # clients need to reach the socket; the key itself is 0400
if [[ ! -s "$STATE/munge/munge.key" ]]; then
  # Our own key: nothing outside this folder needs to trust it.
  dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
  chown munge:munge "$STATE/munge/munge.key"
  chmod 0400 "$STATE/munge/munge.key"
fi

node="$(hostname -s 2>/dev/null || true)"
[[ -n "$node" ]] || node=localhost
cpus="${COHORT_SLURM_CPUS:-$(($(nproc) > 4 ? $(nproc) : 4))}"
# What slurmd may hand out: the machine's memory less 512 MB for the system, at least 1 GB.
mem_mb=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 - 512))
((mem_mb >= 1024)) || mem_mb=1024

cat >"$CONF.new" <<CONF
# Written by scripts/cluster/slurm-up.sh: a single-node test cluster on loopback. Do not edit here;
# change the script (it rewrites this file on every start).
ClusterName=cohort
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# A container: no cgroups, so processes are tracked by their parent chain and tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Cores and memory are consumable, so --cpus-per-task and --mem are honoured; a job without --mem gets
# DefMemPerCPU (the default would be the whole node, one job at a time).
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
# Memory limits enforced by sampling (no cgroups): a job over its --mem is killed within a second.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
# No accounting database: finished jobs stay in slurmctld's memory (and so in squeue and
# scontrol show job) for MinJobAge seconds, a day.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=86400
MaxJobCount=200000
MaxArraySize=10001
# Quick turnover for tests: 2 s from SIGTERM to SIGKILL on cancel and time limit, no extra time.
KillWait=2
OverTimeLimit=0
InactiveLimit=0
SlurmctldTimeout=60
SlurmdTimeout=300
MessageTimeout=10
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5,sched_min_interval=100000
SlurmdParameters=config_overrides
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=long Nodes=$node MaxTime=INFINITE State=UP
CONF
changed=0
if ! cmp -s "$CONF.new" "$CONF"; then changed=1; fi
mv "$CONF.new" "$CONF"
if [[ ! -e /etc/slurm/slurm.conf || "$(readlink /etc/slurm/slurm.conf || true)" == "$CONF" ]]; then
  mkdir -p /etc/slurm
  ln -sfn "$CONF" /etc/slurm/slurm.conf
fi

alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# munged runs as its own user, so its files live in the folder it owns.
if ! alive "$STATE/munge/munged.pid"; then
  runuser -u munge -- munged --socket="$SOCKET" --key-file="$STATE/munge/munge.key" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" \
    --seed-file="$STATE/munge/munged.seed" || die "munged did not start"
fi
for _ in $(seq 50); do [[ -S "$SOCKET" ]] && break; sleep 0.1; done
munge -n --socket="$SOCKET" | unmunge --socket="$SOCKET" >/dev/null || die "munge cannot encode and decode"

# A changed config needs the daemons restarted (scontrol reconfigure cannot change nodes or ports).
if ((changed)) && alive "$STATE/run/slurmctld.pid"; then
  echo "slurm-up: configuration changed; restarting slurmctld and slurmd"
  bash "$(dirname "${BASH_SOURCE[0]}")/slurm-down.sh" --keep-munge
fi
if ! alive "$STATE/run/slurmctld.pid"; then
  slurmctld -f "$CONF" || die "slurmctld did not start"
fi
if ! alive "$STATE/run/slurmd.pid"; then
  # -N: the node is this one whatever the system thinks its name is (a container may not know).
  slurmd -f "$CONF" -N "$node" || die "slurmd did not start"
fi

# The node comes up `unknown`, then `idle` once slurmd registered; a node left `down` or `drain` by an
# earlier run (a killed slurmd) is brought back.
for i in $(seq 120); do
  state="$(sinfo --noheader --nodes="$node" --format=%T 2>/dev/null | head -n 1 || true)"
  case "$state" in
    idle* | mixed* | allocated* | completing*) break ;;
    down* | drain* | fail*) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
  esac
  ((i < 120)) || die "node $node is '${state:-not reported}' after 60 s, not idle"
  sleep 0.5
done

echo "slurm-up: Slurm is up: node $node ($cpus CPUs, $mem_mb MB), partitions debug (default) and long"
echo "slurm-up: config $CONF, logs $STATE/log/ (munged: $STATE/munge/munged.log), state $STATE"
echo "slurm-up: clients: export SLURM_CONF=$CONF"
