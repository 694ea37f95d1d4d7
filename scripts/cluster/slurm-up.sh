#!/usr/bin/env bash
# Starts a Slurm cluster on loopback for tests, benchmarks and developers: munged, its accounting
# database (MariaDB and slurmdbd), slurmctld and several compute nodes (one slurmd each, on ports of
# their own), all state under one folder. Idempotent: installs what is missing with apt-get, keeps a
# running cluster running (restarting only what is down, or everything when the configuration changed),
# and returns once `sinfo` shows every node idle. Fails loudly, with the daemons' logs, otherwise. Run
# as root (a container is fine: no systemd needed; cgroups are used where the kernel lets us). See
# docs/clusters.md.
#
# Environment (defaults in brackets):
#   COHORT_SLURM_DIR         state folder: config, logs, spool, database, munge socket [/var/tmp/cohort-slurm]
#   COHORT_SLURM_PORT        slurmctld's port; slurmdbd takes +1, MariaDB +2, node i +2+i [6817]
#   COHORT_SLURM_NODES       compute nodes [2], named PREFIX1..PREFIXN
#   COHORT_SLURM_NODE_PREFIX the nodes' name before their number [cohort on port 6817, else cohortPORTn]:
#                            distinct per cluster, since slurmd names its cgroup after its node
#   COHORT_SLURM_CPUS        CPUs each node offers [max(nproc, 4) / nodes, at least 2]
#   COHORT_SLURM_ACCOUNTING  1: slurmdbd with MariaDB, sacct works; 0: none [1]
#   COHORT_SLURM_CGROUP      auto: proctrack/cgroup where cgroup v1's freezer is writable; yes; no [auto]
#   COHORT_SLURM_MIN_JOB_AGE seconds an ended job stays in slurmctld (then only sacct knows it) [300]
#   COHORT_SLURM_MAX_ARRAY   MaxArraySize [10001]
#   COHORT_SLURM_MAX_JOBS    MaxJobCount [200000]
#   COHORT_SLURMD_TIMEOUT    seconds without an answer before a node is declared down [60]
#
# Client commands find the cluster through SLURM_CONF=$COHORT_SLURM_DIR/slurm.conf; where
# /etc/slurm/slurm.conf is absent it is linked there as well, so a plain `sinfo` works.
set -euo pipefail

STATE="${COHORT_SLURM_DIR:-/var/tmp/cohort-slurm}"
PORT="${COHORT_SLURM_PORT:-6817}"
NODES="${COHORT_SLURM_NODES:-2}"
ACCOUNTING="${COHORT_SLURM_ACCOUNTING:-1}"
CGROUP="${COHORT_SLURM_CGROUP:-auto}"
CONF="$STATE/slurm.conf"
SOCKET="$STATE/munge/munge.socket.2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SLURM_CONF="$CONF"
# shellcheck source=scripts/cluster/slurm-lib.sh
source "$HERE/slurm-lib.sh"

[[ "$(id -u)" == 0 ]] || die "run as root: slurmd starts jobs as their users and needs to"
[[ "$NODES" =~ ^[1-9][0-9]?$ ]] || die "COHORT_SLURM_NODES must be 1 to 99, not '$NODES'"

packages=()
command -v slurmctld >/dev/null 2>&1 || packages+=(slurmctld)
command -v slurmd >/dev/null 2>&1 || packages+=(slurmd)
command -v sbatch >/dev/null 2>&1 || packages+=(slurm-client)
command -v munged >/dev/null 2>&1 || packages+=(munge)
if ((ACCOUNTING)); then
  command -v slurmdbd >/dev/null 2>&1 || packages+=(slurmdbd)
  command -v mariadbd >/dev/null 2>&1 || packages+=(mariadb-server)
fi
if ((${#packages[@]} > 0)); then
  command -v apt-get >/dev/null 2>&1 || die "missing ${packages[*]} and no apt-get here; install them by hand"
  echo "slurm-up: installing ${packages[*]}"
  # Without a package list (a fresh container) the install finds nothing.
  if ! apt-cache show slurmdbd >/dev/null 2>&1; then apt-get update; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
fi

mkdir -p "$STATE"/{log,run,ctld,spool,munge}
chown munge:munge "$STATE/munge"
chmod 0755 "$STATE/munge" # clients need to reach the socket; the key itself is 0400
if [[ ! -s "$STATE/munge/munge.key" ]]; then
  # Our own key: nothing outside this folder needs to trust it.
  dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
  chown munge:munge "$STATE/munge/munge.key"
  chmod 0400 "$STATE/munge/munge.key"
fi

host="$(hostname -s 2>/dev/null || true)"
[[ -n "$host" ]] || host=localhost
total=$(($(nproc) > 4 ? $(nproc) : 4))
cpus="${COHORT_SLURM_CPUS:-$(((total + NODES - 1) / NODES > 2 ? (total + NODES - 1) / NODES : 2))}"
# What the nodes may hand out together: the machine's memory less 512 MB for the system, at least 1 GB
# a node (the nodes share one machine: each offers its share).
mem_mb=$((($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 - 512) / NODES))
((mem_mb >= 1024)) || mem_mb=1024
# Two clusters on one machine must not share node names: slurmd's cgroup is slurm_<node>, and job
# numbers of two clusters collide.
prefix=cohort
((PORT == 6817)) || prefix="cohort${PORT}n"
prefix="${COHORT_SLURM_NODE_PREFIX:-$prefix}"
names=()
for i in $(seq "$NODES"); do names+=("$prefix$i"); done
list="$prefix[1-$NODES]"
((NODES > 1)) || list="${prefix}1"

cgroup_reason="$(cgroup_unavailable)"
proctrack=proctrack/linuxproc
if [[ "$CGROUP" == yes || ("$CGROUP" == auto && -z "$cgroup_reason") ]]; then
  proctrack=proctrack/cgroup
  rm -f "$STATE/cgroup-unavailable"
else
  [[ "$CGROUP" == no ]] && cgroup_reason="COHORT_SLURM_CGROUP=no"
  echo "$cgroup_reason" >"$STATE/cgroup-unavailable"
fi

write_slurm_conf >"$CONF.new"
changed=0
cmp -s "$CONF.new" "$CONF" || changed=1
mv "$CONF.new" "$CONF"
# cgroup.conf and slurmdbd.conf are read from the folder of slurm.conf.
cat >"$STATE/cgroup.conf" <<CONF
# Written by scripts/cluster/slurm-up.sh. Process tracking only: no binding or limits of cores, memory
# or devices (memory stays enforced by jobacct_gather's sampling, as without cgroups).
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
CONF
if [[ ! -e /etc/slurm/slurm.conf || "$(readlink /etc/slurm/slurm.conf || true)" == "$CONF" ]]; then
  mkdir -p /etc/slurm
  ln -sfn "$CONF" /etc/slurm/slurm.conf
fi

# munged runs as its own user, so its files live in the folder it owns.
if ! alive "$STATE/munge/munged.pid"; then
  runuser -u munge -- munged --socket="$SOCKET" --key-file="$STATE/munge/munge.key" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" \
    --seed-file="$STATE/munge/munged.seed" || die "munged did not start"
fi
for _ in $(seq 50); do [[ -S "$SOCKET" ]] && break; sleep 0.1; done
munge -n --socket="$SOCKET" | unmunge --socket="$SOCKET" >/dev/null || die "munge cannot encode and decode"

# A changed config needs the daemons restarted (scontrol reconfigure cannot change nodes or ports).
if ((changed)) && { alive "$STATE/run/slurmctld.pid" || any_slurmd_alive; }; then
  echo "slurm-up: configuration changed; restarting the Slurm daemons"
  bash "$HERE/slurm-down.sh" --keep-munge
fi
if ((ACCOUNTING)); then
  start_database
  start_slurmdbd
fi
if ! alive "$STATE/run/slurmctld.pid"; then
  slurmctld -f "$CONF" || die "slurmctld did not start"
fi
for name in "${names[@]}"; do
  # -N: which node of the configuration this slurmd is (its port, spool, log and pid file follow).
  alive "$STATE/run/slurmd-$name.pid" || slurmd -f "$CONF" -N "$name" || die "slurmd $name did not start"
done

# Nodes come up `unknown`, then `idle` once their slurmd registered; a node left `down` or `drain` by an
# earlier run (a killed slurmd) is brought back.
for i in $(seq 120); do
  waiting=0
  while read -r name state; do
    case "$state" in
      idle* | mixed* | allocated* | completing*) ;;
      down* | drain* | fail*)
        waiting=1
        scontrol update nodename="$name" state=resume >/dev/null 2>&1 || true
        ;;
      *) waiting=1 ;;
    esac
  done < <(sinfo --noheader --Node --nodes="$list" --format='%N %T' 2>/dev/null | sort -u || true)
  ((waiting)) || break
  ((i < 120)) || die "nodes not idle after 60 s: $(sinfo --noheader --Node --format='%N %T' | sort -u | tr '\n' ' ')"
  sleep 0.5
done

echo "slurm-up: Slurm is up: nodes $list ($cpus CPUs, $mem_mb MB each), partitions debug (default) and long"
if ((ACCOUNTING)); then
  echo "slurm-up: accounting: slurmdbd on 127.0.0.1:$((PORT + 1)), MariaDB on 127.0.0.1:$((PORT + 2))"
fi
echo "slurm-up: process tracking: $proctrack${cgroup_reason:+ (no cgroups: $cgroup_reason)}"
echo "slurm-up: config $CONF, logs $STATE/log/ (munged: $STATE/munge/munged.log), state $STATE"
echo "slurm-up: clients: export SLURM_CONF=$CONF"
