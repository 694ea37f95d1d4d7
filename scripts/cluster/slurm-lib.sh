# Functions of slurm-up.sh (sourced, not run): the configuration it writes and the accounting database
# it starts. They read slurm-up.sh's variables (STATE, PORT, SOCKET, host, cpus, mem_mb, names, list,
# proctrack, ACCOUNTING).

die() {
  echo "slurm-up: $*" >&2
  local log
  for log in "$STATE/munge/munged.log" "$STATE/log/"*.log; do
    [[ -f "$log" ]] && { echo "--- last lines of $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

# alive PIDFILE: whether the pid file names a live daemon of this cluster. A pid alone is not enough:
# the file outlives its daemon in /var/tmp, and a later process (a tsc, a vitest worker) may have its
# pid; taken for the daemon, slurm-up.sh would start none and slurm-down.sh would kill that process
# (sge-lib.sh's daemon_alive met it). So the process must be one of the daemons slurm-up.sh starts and
# name this cluster's folder in its command line or environment (slurmdbd has only SLURM_CONF).
alive() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
    munged | slurmctld | slurmd | slurmdbd | mariadbd | mysqld) ;;
    *) return 1 ;;
  esac
  cat "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null | tr '\0' '\n' | grep -qF "$STATE"
}

any_slurmd_alive() {
  local pidfile
  for pidfile in "$STATE"/run/slurmd*.pid; do alive "$pidfile" && return 0; done
  return 1
}

# Why slurmd could not track processes with cgroups here (empty when it can): proctrack/cgroup needs
# cgroup v1's freezer controller mounted and writable (Slurm 22.05's cgroup/v2 plugin needs systemd's
# delegation, which a container does not have).
cgroup_unavailable() {
  local freezer=/sys/fs/cgroup/freezer probe
  if [[ ! -d "$freezer" ]]; then
    echo "no cgroup v1 freezer controller at $freezer (a cgroup v2-only kernel or container)"
    return
  fi
  [[ -f /usr/lib/x86_64-linux-gnu/slurm-wlm/proctrack_cgroup.so || -n "$(find /usr/lib -name proctrack_cgroup.so -print -quit 2>/dev/null)" ]] ||
    { echo "this Slurm build has no proctrack/cgroup plugin"; return; }
  probe="$freezer/cohort-probe-$$"
  if ! mkdir "$probe" 2>/dev/null; then
    echo "$freezer is not writable (a container without cgroup rights)"
    return
  fi
  rmdir "$probe"
}

write_slurm_conf() {
  local accounting=accounting_storage/none
  ((ACCOUNTING)) && accounting=accounting_storage/slurmdbd
  cat <<CONF
# Written by scripts/cluster/slurm-up.sh: a test cluster on loopback. Do not edit here; change the
# script (it rewrites this file on every start).
ClusterName=cohort
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 3))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$STATE/ctld
# Several slurmd on one machine: %n, the node's name, keeps their files apart.
SlurmdSpoolDir=$STATE/spool/%n
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd-%n.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# Where cgroups are writable, slurmd tracks a job's processes in a freezer cgroup, so a process that
# daemonizes cannot escape a cancel; elsewhere by their parent chain (proctrack/linuxproc). Tasks are
# not bound to cores either way.
ProctrackType=$proctrack
TaskPlugin=task/none
# Cores and memory are consumable, so --cpus-per-task and --mem are honoured; a job without --mem gets
# DefMemPerCPU (the default would be the whole node, one job at a time).
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
# Memory limits enforced by sampling: a job over its --mem is killed within a second.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
# Accounting in slurmdbd (MariaDB): ended jobs stay in slurmctld for MinJobAge seconds, then only
# sacct knows them, as on a real cluster.
AccountingStorageType=$accounting
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$((PORT + 1))
# The munge socket for the connection to slurmdbd (AuthInfo's is not used for it).
AccountingStoragePass=$SOCKET
JobCompType=jobcomp/none
MinJobAge=${COHORT_SLURM_MIN_JOB_AGE:-300}
MaxJobCount=${COHORT_SLURM_MAX_JOBS:-200000}
MaxArraySize=${COHORT_SLURM_MAX_ARRAY:-10001}
# Preemption by partition: a job of 'urgent' requeues (or, submitted --no-requeue, cancels) jobs of
# the others that hold the CPUs it needs.
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
# Quick turnover for tests: 2 s from SIGTERM to SIGKILL on cancel and time limit, no extra time.
KillWait=2
OverTimeLimit=0
InactiveLimit=0
SlurmctldTimeout=60
SlurmdTimeout=${COHORT_SLURMD_TIMEOUT:-60}
MessageTimeout=10
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5,sched_min_interval=100000
SlurmdParameters=config_overrides
MpiDefault=none
CONF
  local i
  for i in "${!names[@]}"; do
    echo "NodeName=${names[$i]} NodeAddr=127.0.0.1 NodeHostname=$host Port=$((PORT + 3 + i)) CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN"
  done
  # LLN: each job goes to the least loaded node, so tasks spread over the nodes.
  cat <<CONF
PartitionName=debug Nodes=$list Default=YES MaxTime=INFINITE State=UP LLN=YES PriorityTier=1
PartitionName=long Nodes=$list MaxTime=INFINITE State=UP LLN=YES PriorityTier=1
PartitionName=urgent Nodes=$list MaxTime=INFINITE State=UP LLN=YES PriorityTier=2
CONF
}

# MariaDB of our own: data, socket and pid in $STATE/db, on 127.0.0.1:PORT+2 only, run as mysql.
start_database() {
  local db="$STATE/db" sock="$STATE/db/mysqld.sock"
  if [[ ! -d "$db/data/mysql" ]]; then
    mkdir -p "$db/data"
    chown -R mysql:mysql "$db"
    mariadb-install-db --no-defaults --user=mysql --datadir="$db/data" --skip-test-db \
      --auth-root-authentication-method=socket >"$STATE/log/mariadb-install.log" 2>&1 ||
      die "mariadb-install-db failed (see $STATE/log/mariadb-install.log)"
  fi
  if ! alive "$db/mysqld.pid"; then
    chown mysql:mysql "$db"
    touch "$STATE/log/mariadb.log"
    chown mysql:mysql "$STATE/log/mariadb.log"
    # Small buffers: the accounting of a test cluster is a few thousand rows.
    setsid mariadbd --no-defaults --user=mysql --datadir="$db/data" --socket="$sock" \
      --pid-file="$db/mysqld.pid" --port=$((PORT + 2)) --bind-address=127.0.0.1 --skip-name-resolve \
      --log-error="$STATE/log/mariadb.log" --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
      --innodb-lock-wait-timeout=900 --performance-schema=OFF </dev/null >/dev/null 2>&1 &
  fi
  local i
  for i in $(seq 300); do
    mariadb --no-defaults --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    ((i < 300)) || die "MariaDB did not answer within 30 s"
    sleep 0.1
  done
  local password="$db/slurm.password"
  if [[ ! -s "$password" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$password")
  fi
  mariadb --no-defaults --socket="$sock" -uroot <<SQL || die "could not create the accounting user"
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$(cat "$password")';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$(cat "$password")';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL
}

# slurmdbd on 127.0.0.1:PORT+1, its configuration beside slurm.conf (where it looks for it), then the
# cluster registered in it.
start_slurmdbd() {
  local conf="$STATE/slurmdbd.conf"
  (
    umask 077
    cat >"$conf.new" <<CONF
# Written by scripts/cluster/slurm-up.sh. Holds the database password: root only.
AuthType=auth/munge
AuthInfo=socket=$SOCKET
DbdHost=$host
DbdAddr=127.0.0.1
DbdPort=$((PORT + 1))
SlurmUser=root
PidFile=$STATE/run/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((PORT + 2))
StorageUser=slurm
StoragePass=$(cat "$STATE/db/slurm.password")
StorageLoc=slurm_acct_db
CONF
  )
  if ! cmp -s "$conf.new" "$conf" && alive "$STATE/run/slurmdbd.pid"; then
    kill -TERM "$(cat "$STATE/run/slurmdbd.pid")"
    local _
    for _ in $(seq 100); do alive "$STATE/run/slurmdbd.pid" || break; sleep 0.1; done
  fi
  mv "$conf.new" "$conf"
  alive "$STATE/run/slurmdbd.pid" || slurmdbd || die "slurmdbd did not start"
  local deadline=$((SECONDS + 30))
  until sacctmgr --noheader --parsable2 list cluster format=cluster 2>/dev/null | grep -qx cohort; do
    ((SECONDS < deadline)) || die "slurmdbd did not register the cluster within 30 s"
    sacctmgr --immediate add cluster cohort >/dev/null 2>&1 || sleep 0.2
  done
}
