#!/usr/bin/env bash
# Brings up a two-host Son of Grid Engine (Debian 12 `gridengine-*` 8.1.9) on this machine: the master
# and one execution daemon on this host, a second execution daemon as host `NODE2` in its own network
# namespace (own address on a veth pair, own host name, its own /etc/hosts view), both hosts
# admin/submit/exec hosts of queues `all.q` (slots per host = the larger of the CPU count and 4) and
# `long.q`, a parallel environment `smp` for multi-CPU jobs, a one-second scheduler and immediate
# accounting (so `qacct` sees a job as soon as it ends). Idempotent: a second run only checks, starts
# what is down (a killed node included), and re-applies the configuration. Run as root. Tested in
# containers without systemd: the daemons are started directly, never through init scripts.
#
# Why a network namespace: SGE names an execution host after the address its connection comes from,
# and one execd per host listens on the one execd port, so two execds on one address cannot both exist.
# A namespace gives the second its own address and port space; the files (task folders) stay shared.
#
# Jobs run as the user who submits them, root included (min_uid 0): the tests and CI run as root, and
# their task folders are root's. On a real cluster keep your site's min_uid.
#
# Environment:
#   COHORT_SGE_DIR     state folder of a separate cluster (its own SGE_ROOT, cell, spools, accounting);
#                      default none: Debian's cell (SGE_ROOT /var/lib/gridengine, cell default), the
#                      shared cluster
#   COHORT_SGE_PORT    qmaster port; the execds use the next one; default 6444 (Debian's)
#   COHORT_SGE_NODE2   the second execution host's name; default sge-node2 (sge-node2-PORT off 6444)
#   SGE_SLOTS          slots per queue and host, default max(nproc, 4)
#   SGE_UP_TIMEOUT     seconds to wait for the queue instances, default 60
# With COHORT_SGE_DIR, clients need SGE_ROOT, SGE_CELL, SGE_QMASTER_PORT and SGE_EXECD_PORT: source
# $COHORT_SGE_DIR/env.sh (SgeExecutor takes them from its environment). See docs/clusters.md (## SGE).
set -euo pipefail

STATE=${COHORT_SGE_DIR:-}
PORT=${COHORT_SGE_PORT:-6444}
if [[ -n $STATE ]]; then
  export SGE_ROOT=$STATE/root
  QMASTER_SPOOL=$STATE/qmaster EXECD_SPOOL=$STATE/execd SPOOLDB=$STATE/spooldb
else
  export SGE_ROOT=/var/lib/gridengine
  QMASTER_SPOOL=/var/spool/gridengine/qmaster EXECD_SPOOL=/var/spool/gridengine/execd SPOOLDB=/var/spool/gridengine/spooldb
fi
export SGE_CELL=default SGE_QMASTER_PORT=$PORT SGE_EXECD_PORT=$((PORT + 1))
COMMON=$SGE_ROOT/$SGE_CELL/common
DEFAULT_NODE2=sge-node2
((PORT == 6444)) || DEFAULT_NODE2=sge-node2-$PORT
NODE2=${COHORT_SGE_NODE2:-$DEFAULT_NODE2}
# The namespace, its veth pair (names of at most 15 characters) and a /30 of 10.250.0.0/16 per port.
NETNS=cohort-sge-$PORT VETH_HOST=csge${PORT}h VETH_NODE=csge${PORT}n
NET=10.250.$((PORT % 250))
# At least 4: short test jobs should not wait for each other on a 2-core machine.
SLOTS=${SGE_SLOTS:-$(($(nproc) > 4 ? $(nproc) : 4))}
TIMEOUT=${SGE_UP_TIMEOUT:-60}
PACKAGES=(gridengine-master gridengine-exec gridengine-client)

say() { echo "sge-up: $*"; }
die() {
  echo "sge-up: $*" >&2
  for f in "$QMASTER_SPOOL/messages" "$EXECD_SPOOL"/*/messages; do
    [[ -r $f ]] && { echo "--- last lines of $f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

[[ "$(id -u)" == 0 ]] || { echo "sge-up: run as root (it installs packages and starts daemons)" >&2; exit 1; }
HOST=$(hostname)

# SGE insists that a host's name resolves, and that the address it connects from resolves back to the
# same name. Containers often lack the first; the second fails where the name maps to 127.0.0.1 after
# `localhost` (the reverse lookup answers `localhost`): host_aliases below makes SGE treat both as one.
if ! getent hosts "$HOST" >/dev/null; then
  say "adding $HOST to /etc/hosts"
  echo "127.0.1.1 $HOST" >>/etc/hosts
fi

missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]} > 0)); then
  say "installing ${missing[*]}"
  for p in gridengine-common "${PACKAGES[@]}"; do
    printf '%s shared/%s\n' \
      "$p" "gridengineconfig boolean true" "$p" "gridenginecell string $SGE_CELL" \
      "$p" "gridenginemaster string $HOST" | debconf-set-selections
  done
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  # The lock timeout: another installer (apt in a parallel setup script) may hold dpkg for a while.
  apt_get=(apt-get -o DPkg::Lock::Timeout=600)
  # Only without package lists (a fresh container): another installer may be updating them right now.
  if ! apt-cache policy gridengine-master 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    "${apt_get[@]}" update -qq
  fi
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi
# The binaries themselves: the wrappers on PATH run SGE's `arch` script first (a second each when busy).
PATH=/usr/lib/gridengine:$PATH

# A separate cluster: Debian's binaries and helpers by link, its own cell, spools and master
# configuration, made once the way Debian's init_cluster makes the default one.
if [[ -n $STATE && ! -f $COMMON/bootstrap ]]; then
  say "creating a cell in $STATE"
  mkdir -p "$COMMON" "$QMASTER_SPOOL" "$EXECD_SPOOL"
  for d in bin lib util utilbin; do ln -sfn "/var/lib/gridengine/$d" "$SGE_ROOT/$d"; done
  cat >"$COMMON/bootstrap.new" <<EOF
admin_user              sgeadmin
default_domain          none
ignore_fqdn             false
spooling_method         berkeleydb
spooling_lib            libspoolb
spooling_params         $SPOOLDB
binary_path             /usr/sbin
qmaster_spool_dir       $QMASTER_SPOOL
security_mode           none
listener_threads        2
worker_threads          2
scheduler_threads       1
EOF
  mv "$COMMON/bootstrap.new" "$COMMON/bootstrap"
  sed "s|^execd_spool_dir .*|execd_spool_dir        $EXECD_SPOOL|" /usr/share/gridengine/default-configuration >"$STATE/configuration"
  rm -rf "$SPOOLDB"
  mkdir -p "$SPOOLDB"
  /usr/lib/gridengine/spoolinit berkeleydb libspoolb "$SPOOLDB" init >/dev/null
  /usr/lib/gridengine/spooldefaults configuration "$STATE/configuration" >/dev/null
  /usr/lib/gridengine/spooldefaults complexes /usr/share/gridengine/util/resources/centry >/dev/null
  /usr/lib/gridengine/spooldefaults usersets /usr/share/gridengine/util/resources/usersets >/dev/null
  /usr/lib/gridengine/spooldefaults managers sgeadmin >/dev/null
  /usr/lib/gridengine/spooldefaults managers root >/dev/null
  chown -R sgeadmin:sgeadmin "$SGE_ROOT/$SGE_CELL" "$QMASTER_SPOOL" "$EXECD_SPOOL" "$SPOOLDB"
fi
if [[ -n $STATE ]]; then
  printf 'export SGE_ROOT=%q SGE_CELL=%q SGE_QMASTER_PORT=%q SGE_EXECD_PORT=%q\n' \
    "$SGE_ROOT" "$SGE_CELL" "$SGE_QMASTER_PORT" "$SGE_EXECD_PORT" >"$STATE/env.sh"
fi

[[ -f $COMMON/bootstrap ]] || die "$COMMON/bootstrap is missing: the package was installed without automatic configuration (dpkg-reconfigure gridengine-master)"

ip=$(getent ahostsv4 "$HOST" | awk 'NR == 1 { print $1 }')
back=$(getent hosts "$ip" | awk 'NR == 1 { print $2 }')
if [[ -n $back && $back != "$HOST" ]]; then
  echo "$HOST $back" >"$COMMON/host_aliases"
else
  rm -f "$COMMON/host_aliases"
fi
echo "$HOST" >"$COMMON/act_qmaster"
# The master rewrites act_qmaster as the admin user when it starts.
chown sgeadmin:sgeadmin "$COMMON"/*

# The second host: a network namespace joined to this one by a veth pair. The master and the clients
# find it by the line added to /etc/hosts; inside, its execd sees a hosts file of its own in which the
# master's name is this side's address (127.0.0.1 there would be the namespace's own loopback).
grep -q "^$NET.2[[:space:]]" /etc/hosts || echo "$NET.2 $NODE2" >>/etc/hosts
getent hosts "$NODE2" | grep -q "^$NET.2[[:space:]]" || die "/etc/hosts maps $NODE2 elsewhere than $NET.2: remove that line"
if [[ ! -e /run/netns/$NETNS ]]; then
  say "creating network namespace $NETNS ($NODE2 at $NET.2)"
  ip netns add "$NETNS"
fi
if ! ip link show "$VETH_HOST" >/dev/null 2>&1; then
  ip link add "$VETH_HOST" type veth peer name "$VETH_NODE"
  ip link set "$VETH_NODE" netns "$NETNS"
  ip addr add "$NET.1/30" dev "$VETH_HOST"
  ip netns exec "$NETNS" ip addr add "$NET.2/30" dev "$VETH_NODE"
fi
ip link set "$VETH_HOST" up
ip netns exec "$NETNS" ip link set "$VETH_NODE" up
ip netns exec "$NETNS" ip link set lo up
NODE_HOSTS=$COMMON/hosts.$NODE2
printf '127.0.0.1 localhost\n%s %s\n%s.2 %s\n' "$NET.1" "$HOST" "$NET" "$NODE2" >"$NODE_HOSTS"

# shellcheck source=sge-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/sge-lib.sh"
alive() { daemon_alive "$@"; }
mkdir -p /var/run/gridengine "$EXECD_SPOOL"
chown sgeadmin:sgeadmin /var/run/gridengine "$EXECD_SPOOL"

# Started when its pid file names no live process; a master still shutting down (qconf -km) is waited
# for, then started again.
for ((i = 0; i < TIMEOUT * 2; i++)); do
  qconf -sh >/dev/null 2>&1 && break
  if ! alive "$QMASTER_SPOOL/qmaster.pid"; then
    say "starting sge_qmaster"
    /usr/sbin/sge_qmaster
  fi
  sleep 0.5
done
qconf -sh >/dev/null 2>&1 || die "sge_qmaster does not answer (qconf -sh)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

qc() { # qconf quietly (it reports every change on stderr), but loudly when it fails
  local out
  out=$(qconf "$@" 2>&1) || die "qconf $* failed: $out"
}

# qconf -Mconf and -Msconf take a file whose name says what it configures.
set_attr() { # file name value: replaces (or adds) one "name value" line
  if grep -q "^$2[[:space:]]" "$1"; then
    awk -v n="$2" -v v="$3" '$1 == n { print n, v; skip = /\\$/; next } skip { skip = /\\$/; next } { print }' "$1" >"$1.new"
  else
    { cat "$1"; echo "$2 $3"; } >"$1.new"
  fi
  mv "$1.new" "$1"
}
qconf -sconf global >"$tmp/global"
set_attr "$tmp/global" min_uid 0
set_attr "$tmp/global" min_gid 0
# accounting_flush_time 0: the record is in the accounting file when the job leaves qstat.
set_attr "$tmp/global" reporting_params \
  'accounting=true reporting=false flush_time=00:00:15 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00'
# ENABLE_ADDGRP_KILL: qdel and limits kill every process of the job, also those that left its group.
set_attr "$tmp/global" execd_params ENABLE_ADDGRP_KILL=true
set_attr "$tmp/global" load_report_time 00:00:10
# A host whose execd has not reported for 40 s (4 reports) is unknown (state u): Cohort reads its
# running tasks as lost to a node failure. SGE's default waits five minutes.
set_attr "$tmp/global" max_unheard 00:00:40
# Jobs on an unknown host are left to Cohort (reported failed, then deleted), never rerun by SGE.
set_attr "$tmp/global" reschedule_unknown 00:00:00
# qdel -f by a job's owner too: how Cohort makes the master forget a job on a dead host.
set_attr "$tmp/global" qmaster_params ENABLE_FORCED_QDEL=true
# Not bash: a login shell reads the submitter's profile (pyenv, conda, module init...) before each job;
# slow at best, and a profile that waits for something hangs every job.
set_attr "$tmp/global" login_shells sh,ksh,csh,tcsh
qc -Mconf "$tmp/global"

qconf -ssconf >"$tmp/sched"
set_attr "$tmp/sched" schedule_interval 0:0:1
set_attr "$tmp/sched" flush_submit_sec 1
set_attr "$tmp/sched" flush_finish_sec 1
# Fill all.q before long.q when a job names no queue.
set_attr "$tmp/sched" queue_sort_method seqno
# Per-job "why is it pending" info costs a lot with thousands of pending jobs; `qalter -w p` tells.
set_attr "$tmp/sched" schedd_job_info false
qc -Msconf "$tmp/sched"

for h in "$HOST" "$NODE2"; do
  qconf -sh 2>/dev/null | grep -qx "$h" || qc -ah "$h"
  qconf -ss 2>/dev/null | grep -qx "$h" || qc -as "$h"
  if ! qconf -se "$h" >/dev/null 2>&1; then
    printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' \
      "$h" >"$tmp/exechost"
    qc -Ae "$tmp/exechost"
  fi
done
printf 'group_name @allhosts\nhostlist %s %s\n' "$HOST" "$NODE2" >"$tmp/allhosts"
if qconf -shgrp @allhosts >/dev/null 2>&1; then qc -Mhgrp "$tmp/allhosts"; else qc -Ahgrp "$tmp/allhosts"; fi

cat >"$tmp/smp" <<'EOF'
pe_name            smp
slots              9999
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $pe_slots
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
EOF
if qconf -sp smp >/dev/null 2>&1; then qc -Mp "$tmp/smp"; else qc -Ap "$tmp/smp"; fi

queue_file() { # name seq_no: no load thresholds (a busy shared machine would put the queue in alarm)
  local limits=''
  for l in s_rt h_rt s_cpu h_cpu s_fsize h_fsize s_data h_data s_stack h_stack s_core h_core s_rss h_rss s_vmem h_vmem; do
    limits+="$l INFINITY"$'\n'
  done
  cat <<EOF
qname $1
hostlist @allhosts
seq_no $2
load_thresholds NONE
suspend_thresholds NONE
nsuspend 1
suspend_interval 00:05:00
priority 0
min_cpu_interval 00:05:00
processors UNDEFINED
qtype BATCH INTERACTIVE
ckpt_list NONE
pe_list smp
rerun FALSE
slots $SLOTS
tmpdir /tmp
shell /bin/bash
prolog NONE
epilog NONE
shell_start_mode posix_compliant
starter_method NONE
suspend_method NONE
resume_method NONE
terminate_method NONE
notify 00:00:60
owner_list NONE
user_lists NONE
xuser_lists NONE
subordinate_list NONE
complex_values NONE
projects NONE
xprojects NONE
calendar NONE
initial_state default
${limits}
EOF
}
for q in all.q:0 long.q:1; do
  queue_file "${q%%:*}" "${q#*:}" >"$tmp/queue"
  if qconf -sq "${q%%:*}" >/dev/null 2>&1; then qc -Mq "$tmp/queue"; else qc -Aq "$tmp/queue"; fi
done

# The execd names its spool folder after the name it resolves for itself (`localhost` behind an alias).
host_pids=()
for f in "$EXECD_SPOOL"/*/execd.pid; do [[ $f == "$EXECD_SPOOL/$NODE2/execd.pid" ]] || host_pids+=("$f"); done
if ! alive "${host_pids[@]}"; then
  say "starting sge_execd on $HOST"
  /usr/sbin/sge_execd
fi
# The second host's execd: in the namespace, under its own host name, with its own hosts file.
if ! alive "$EXECD_SPOOL/$NODE2/execd.pid"; then
  say "starting sge_execd on $NODE2"
  ip netns exec "$NETNS" unshare --mount --uts /bin/sh -c \
    'mount --bind "$1" /etc/hosts && hostname "$2" && exec /usr/sbin/sge_execd' sh "$NODE_HOSTS" "$NODE2"
fi

# Ready: the queue instances show no state letters (u = execd not heard from, a/A = alarm, E = error,
# d = disabled). Queues left in error or disabled by an earlier failed job or test are cleared.
instances=()
for q in all.q long.q; do for h in "$HOST" "$NODE2"; do instances+=("$q@$h"); done; done
qmod -cq "${instances[@]}" >/dev/null 2>&1 || true
qmod -e "${instances[@]}" >/dev/null 2>&1 || true
for ((i = 0; i < TIMEOUT * 2; i++)); do
  states=$(qstat -f -q all.q 2>/dev/null | awk -v a="all.q@$HOST" -v b="all.q@$NODE2" \
    '$1 == a || $1 == b { n++; if ($6 != "") bad = bad " " $1 ":" $6 } END { print (n == 2 && bad == "" ? "ready" : bad) }')
  [[ $states == ready ]] && break
  sleep 0.5
done
[[ $states == ready ]] || die "queue instances all.q@$HOST and all.q@$NODE2 are not ready after ${TIMEOUT}s (${states:-not listed}; qstat -f)"
say "ready: queues all.q and long.q on $HOST and $NODE2 ($SLOTS slots each per host), pe smp, port $PORT"
