#!/usr/bin/env bash
# Brings up a single-node Son of Grid Engine (Debian 12 `gridengine-*` 8.1.9) on this machine: the
# master and execution daemon, this host as admin/submit/exec host, queues `all.q` (slots = the larger
# of the CPU count and 4) and `long.q`, a parallel environment `smp` for multi-CPU jobs, a one-second scheduler and immediate
# accounting (so `qacct` sees a job as soon as it ends). Idempotent: a second run only checks, and
# re-applies the configuration. Run as root. Tested in containers without systemd: the daemons are
# started directly, never through init scripts.
#
# Jobs run as the user who submits them, root included (min_uid 0): the tests and CI run as root, and
# their task folders are root's. On a real cluster keep your site's min_uid.
#
# Environment: SGE_SLOTS (slots per queue, default max(nproc, 4)), SGE_UP_TIMEOUT (seconds to wait for the
# queue instance, default 60). See docs/clusters.md (## SGE).
set -euo pipefail

export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
COMMON=$SGE_ROOT/$SGE_CELL/common
QMASTER_SPOOL=/var/spool/gridengine/qmaster
EXECD_SPOOL=/var/spool/gridengine/execd
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
[[ -f $COMMON/bootstrap ]] || die "$COMMON/bootstrap is missing: the package was installed without automatic configuration (dpkg-reconfigure gridengine-master)"

ip=$(getent ahostsv4 "$HOST" | awk 'NR == 1 { print $1 }')
back=$(getent hosts "$ip" | awk 'NR == 1 { print $2 }')
if [[ -n $back && $back != "$HOST" ]]; then
  echo "$HOST $back" >"$COMMON/host_aliases"
else
  rm -f "$COMMON/host_aliases"
fi
echo "$HOST" >"$COMMON/act_qmaster"

alive() { # pid files...: whether one names a live process
  local f
  for f in "$@"; do [[ -r $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && return 0; done
  return 1
}
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

qconf -sh 2>/dev/null | grep -qx "$HOST" || qc -ah "$HOST"
qconf -ss 2>/dev/null | grep -qx "$HOST" || qc -as "$HOST"
if ! qconf -se "$HOST" >/dev/null 2>&1; then
  printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' \
    "$HOST" >"$tmp/exechost"
  qc -Ae "$tmp/exechost"
fi
printf 'group_name @allhosts\nhostlist %s\n' "$HOST" >"$tmp/allhosts"
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
if ! alive "$EXECD_SPOOL"/*/execd.pid; then
  say "starting sge_execd"
  /usr/sbin/sge_execd
fi

# Ready: the queue instance shows no state letters (u = execd not heard from, a/A = alarm, E = error,
# d = disabled). A queue left in error by an earlier failed job is cleared.
qmod -cq "all.q@$HOST" "long.q@$HOST" >/dev/null 2>&1 || true
for ((i = 0; i < TIMEOUT * 2; i++)); do
  states=$(qstat -f -q "all.q@$HOST" 2>/dev/null | awk -v q="all.q@$HOST" '$1 == q { print ($6 == "" ? "ready" : $6) }')
  [[ $states == ready ]] && break
  sleep 0.5
done
[[ $states == ready ]] || die "queue instance all.q@$HOST is not ready after ${TIMEOUT}s (state '${states:-none}'; qstat -f)"
say "ready: queues all.q and long.q on $HOST ($SLOTS slots each), pe smp"
