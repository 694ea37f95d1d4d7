# Shared by sge-up.sh and sge-down.sh (sourced; PORT set by the caller).

# daemon_alive PIDFILE...: whether one of the pid files names a live SGE daemon of this cluster. A pid
# alone is not enough: the file outlives its daemon in /var/tmp, and a later test run's process (tsc,
# a vitest worker) may have its pid; taken for the execd, sge-up.sh once started none and waited 60 s
# for a queue that never came up, and sge-down.sh would have killed that process.
daemon_alive() {
  local f pid
  for f in "$@"; do
    [[ -r $f ]] || continue
    pid=$(<"$f")
    [[ $pid =~ ^[0-9]+$ ]] || continue
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sge_* ]] || continue
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SGE_QMASTER_PORT=$PORT" && return 0
  done
  return 1
}
