import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TaskSpec } from '../executor.js';

/**
 * The shell text every local task runs under. Positional parameters: log folder, host, time limit in
 * seconds (0: none), kill grace in seconds, boot time in epoch seconds, path of coreutils `timeout`, then
 * the task's argv. The argv is never part of the text, so any bytes arrive as they were given.
 *
 * It writes `pid` (`<pid> <start ticks> <limit s>`), appends the task's output to `stdout.log` and
 * `stderr.log`, and writes `exit` (`<code> <host> <end epoch s>`) when the task ends, so the state of a
 * task can be read from its folder alone, also by a runner started after this one died.
 *
 * Only one process besides the shell: spawning is the whole cost of a short task (about 5 ms a process
 * on our CI machine), so no `date`, `hostname` or `mv` (the host and boot time come as parameters, the
 * end time from /proc/uptime). `exit` is written by one `printf`, one small write(2): readers accept it
 * only when it ends in a newline, which makes it as good as a rename here.
 */
export const TASK_WRAPPER = [
  'd=$1 host=$2 limit=$3 grace=$4 boot=$5 timeout=$6',
  'shift 6',
  // Field 22 of /proc/<pid>/stat (the 20th after "pid (comm) ") is the start time in clock ticks: with
  // the pid it names this process uniquely, even after the pid is reused.
  'ticks() { t=${20}; }',
  'read -r s </proc/$$/stat',
  'ticks ${s##*) }',
  'printf "%s %s %s\\n" $$ "$t" "$limit" >"$d/pid"',
  // A handler, not `trap "" TERM`: an ignored signal stays ignored across exec, a handler does not. It
  // keeps this shell alive through a cancel's SIGTERM to the group, to record how the task ended.
  'trap : TERM',
  'if [ "$limit" = 0 ]; then',
  // exec in a subshell: never a shell builtin or function, even for a task named `echo` or `exit`.
  '  ( exec "$@" ) >>"$d/stdout.log" 2>>"$d/stderr.log"',
  'else',
  // --foreground keeps timeout in our process group (without it, timeout makes its own group and a
  // group signal for cancel or suspend would miss the task); it then signals only its child, so
  // leftover grandchildren get a TERM from us below.
  '  "$timeout" --foreground --signal=TERM --kill-after="$grace"s "$limit"s "$@" \\',
  '    >>"$d/stdout.log" 2>>"$d/stderr.log"',
  'fi',
  'code=$?',
  'if [ "$limit" != 0 ] && { [ $code = 124 ] || [ $code = 137 ]; }; then kill -TERM 0; fi',
  'read -r up rest </proc/uptime',
  'printf "%s %s %s\\n" $code "$host" $((boot + ${up%.*})) >"$d/exit"',
  'exit $code',
].join('\n');

/** What the wrapper needs besides the task itself. */
export interface WrapperParams {
  readonly host: string;
  /** 0 for no limit. */
  readonly limitSeconds: number;
  readonly graceSeconds: number;
  readonly bootSeconds: number;
}

/**
 * Starts a task under the wrapper as its own process group (`detached`: kill and suspend act on the
 * whole group, and the task outlives this process).
 */
export function spawnTask(spec: TaskSpec, logDir: string, params: WrapperParams): ChildProcess {
  const words = [params.host, seconds(params.limitSeconds), seconds(params.graceSeconds)];
  return spawn(
    '/bin/sh',
    [
      '-c',
      TASK_WRAPPER,
      'cohort-task',
      logDir,
      ...words,
      String(params.bootSeconds),
      timeoutPath(),
      ...spec.argv,
    ],
    { detached: true, cwd: spec.cwd, env: spec.env, stdio: 'ignore' },
  );
}

/** Seconds as `timeout` reads them: decimal, at most millisecond precision. */
function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

let timeoutCommand: string | undefined;

/** An absolute path where we can find one, so a task's own PATH cannot hide or replace it. */
function timeoutPath(): string {
  timeoutCommand ??= ['/usr/bin/timeout', '/bin/timeout'].find((p) => existsSync(p)) ?? 'timeout';
  return timeoutCommand;
}
