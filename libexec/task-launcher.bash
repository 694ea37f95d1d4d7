#!/usr/bin/env bash
# The task launcher of the local executor (src/executors/local/launcher.ts), as bash: the fallback where
# no C compiler built libexec/task-launcher.c, the faster drop-in whose header is the reference for the
# protocol below (the two must stay interchangeable: the Node side is shared).
#
# One long-lived process per LocalExecutor that starts every task and reaps it. Why not `child_process.spawn` per task: Node forks its whole
# process for each spawn, on the main thread; with a catalog open that cost 17 ms a task on our CI
# machine, more than the tasks themselves. A small bash forks in a fraction of that, and because it is
# the tasks' parent it gets their exit codes without a waiting wrapper process per task.
#
# Positional parameters: host name, kill grace in seconds (after a time limit's TERM), path of coreutils
# `timeout`. Requests arrive on stdin, one line each: `<seq> <limit seconds, 0 for none> <log folder>`;
# the folder holds `launch`: NUL-terminated fields `<launcher pid> <its start ticks>` (so another runner
# can tell the task is about to start), `cwd`, `argc`, argv..., `NAME=value`... . Reports
# go to stdout: `R` once ready, `S <seq> <pid>` when a task started, `E <seq> <code>` when it ended.
#
# Each task runs as its own process group (`set -m`), so kill and suspend act on everything it starts.
# Before exec, the task's process appends `pid <pid> <start ticks> <limit s>` to `launch` (after reading
# it); after it is reaped the launcher appends `exit ` and the exit record of src/executors/task-folder.ts
# (`<code> <cause> <host> <start epoch s> <end epoch s>`; a `time-limit` marker when the limit ended it):
# the folder alone tells any runner what became of it. The argv is read into an array and exec'd as words: no value is ever shell text.
#
# The launcher lives in its own session: a runner killed with -9 leaves it running; it sees the end of
# its input, stops taking requests, and still reaps and records every task it started.
#
# While tasks run it blocks in `wait -n`, which cannot also watch the input. A small job, the reader,
# does: it reads the first byte of the next request and ends with it as its exit status (10 + the digit
# that starts every request's seq; 1 at the end of the input), so `wait -n` returns for a request as for
# a task's end, and the launcher reads the rest of the line itself. Only one of the two reads the input
# at a time. Why not a signal to wake it (what this launcher did before): a trapped signal landing
# while `wait -n` reaps a task made bash 5.2 report some tasks' exit 3 as 0 under load (5-25 of 300
# in src/executors/local/bash-launcher.int.test.ts), and one landing while the trap is reset can kill
# the launcher.

host=$1 grace=$2 timeout=$3
set -m
trap '' PIPE USR1
declare -A seqOf dirOf limitOf startOf
eof=0

start() {
  local seq=$1 limit=$2 d=$3
  (
    trap - PIPE USR1
    mapfile -d '' -t a <"$d/launch" # before the record below is appended to it
    read -r s </proc/self/stat
    f=(${s##*) })
    printf 'pid %s %s %s\n' "$BASHPID" "${f[19]}" "$limit" >>"$d/launch"
    [[ -e $d/cancelled ]] && exit 143
    n=${a[2]-}
    [[ -n $n ]] || exit 127
    cd -- "${a[1]}" 2>>"$d/stderr.log" || exit 126
    export -n OLDPWD PWD SHLVL
    ((${#a[@]} > n + 3)) && export "${a[@]:n+3}"
    if [[ $limit == 0 ]]; then
      exec "${a[@]:3:n}" </dev/null >>"$d/stdout.log" 2>>"$d/stderr.log"
    fi
    # --foreground keeps timeout in the task's group (a group signal reaches the task); it then signals
    # only its child, so leftover grandchildren get a TERM from the launcher after it ends.
    exec "$timeout" --foreground --signal=TERM --kill-after="$grace"s "$limit"s "${a[@]:3:n}" \
      </dev/null >>"$d/stdout.log" 2>>"$d/stderr.log"
  ) &
  seqOf[$!]=$seq dirOf[$!]=$d limitOf[$!]=$limit startOf[$!]=$EPOCHSECONDS
  printf 'S %s %s\n' "$seq" "$!"
}

# One request: `<seq> <limit> <folder>`; `first`, when given, is its first byte, which the reader took.
request() {
  local first=${1-} line rest
  if ! IFS= read -r line; then
    eof=1 # a partial last line means its writer died mid-request: not started
    return
  fi
  line=$first$line
  rest=${line#* }
  start "${line%% *}" "${rest%% *}" "${rest#* }"
}

printf 'R\n'
reader=
while :; do
  if [[ -z $reader ]]; then
    while ((!eof)) && read -t 0; do request; done
    if ((${#dirOf[@]} == 0)); then
      ((eof)) && exit 0
      request # nothing runs: block on the input alone
      continue
    fi
    if ((!eof)); then
      (
        trap - PIPE
        LC_ALL=C IFS= read -r -N 1 c || exit 1
        [[ $c == [0-9] ]] && exit $((10 + c))
        exit 2
      ) &
      reader=$!
    fi
  fi
  pid=
  wait -n -p pid
  code=$?
  [[ -n $pid ]] || continue
  if [[ $pid == "$reader" ]]; then
    reader=
    if ((code >= 10 && code <= 19)); then
      request $((code - 10))
    elif ((code == 2)); then
      IFS= read -r _ || eof=1 # not a request (every one starts with a digit): skip the line
    else
      eof=1
    fi
    continue
  fi
  [[ -n ${dirOf[$pid]-} ]] || continue
  d=${dirOf[$pid]}
  cause=exit
  if [[ ${limitOf[$pid]} != 0 ]] && ((code == 124 || code == 137)); then
    cause=time-limit
    : >"$d/time-limit"
    kill -TERM -- "-$pid" 2>/dev/null
  fi
  printf 'exit %s %s %s %s %s\n' "$code" "$cause" "$host" "${startOf[$pid]}" "$EPOCHSECONDS" >>"$d/launch"
  # Its group may outlive it (a job that backgrounded a child): the task has ended, so has all of it.
  # TERM only here; the native launcher also sends the KILL a grace later (a timer this loop lacks).
  kill -TERM -- "-$pid" 2>/dev/null && kill -CONT -- "-$pid" 2>/dev/null
  printf 'E %s %s\n' "${seqOf[$pid]}" "$code"
  unset "seqOf[$pid]" "dirOf[$pid]" "limitOf[$pid]" "startOf[$pid]"
done
