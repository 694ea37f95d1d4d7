/*
 * The native task launcher's input and output helpers (launcher-io.c).
 *
 * Protocol (shared with the bash launcher; the Node side is the same for both):
 * - argv: host name, kill grace in seconds (decimal), path of coreutils `timeout` (ignored here), and
 *   (native launcher only) the slots `Q` requests may fill (0 or none: one `Q` task at a time).
 * - stdin, one request a line: `<seq> <limit seconds, 0 for none> <log folder>` (the folder may hold
 *   spaces, never a line break). The folder holds `launch`: NUL-terminated fields `<launcher pid> <its
 *   start ticks>` (so another runner can tell the task is about to start), `cwd`, `argc`, argv...,
 *   `NAME=value`... . `C <log folder>` (native launcher only; the bash one skips it, and the runner
 *   never sends it one): the runner recorded that task's end, compact its folder (compact-task-folder.ts).
 *   `Q <slots> <seq> <limit> <log folder>` (native only, launcher-queue.c): as a plain request, but the
 *   task waits first in, first out until its slots are free (the runner hands a few ready tasks over
 *   ahead, so the next starts without a round trip through it); one whose folder has a `held` marker by
 *   then is not started but given back: its `launch` is removed and `U <seq> 0` reported. `W <seq>`:
 *   give back that task if it still waits (`U` again; nothing when it started). At the end of input,
 *   waiting tasks are dropped and their `launch` files removed (a later runner submits them again).
 * - stdout: `R` once ready, `S <seq> <pid>` when a task started, `E <seq> <code>` when it ended;
 *   `E <seq> <code> <words>` when it could not start, the words saying why (the task's stderr.log may
 *   be where it could not write). Reports are buffered and flushed after each batch of events, or, while
 *   more than four tasks per slot wait in the queue, once the oldest is 4 ms old (REPORT_DELAY_NS in
 *   task-launcher.c); once the reader is gone (EPIPE) they are dropped, and the files below are still
 *   written.
 * - Records in the log folder (the task-folder protocol, src/executors/task-folder.ts), appended to
 *   `launch` after its fields, one write(2) each: `pid <pid> <start ticks> <limit s>\n` right after the
 *   spawn (before `S`); `exit <code> <cause> <host> <start epoch s|-> <end epoch s>\n` (cause `exit`,
 *   `time-limit`, `cancelled` or `could-not-start`) after the task is reaped (before `E`); into a file
 *   `exit` of its own only when there is no `launch`. `time-limit` (a file) when the limit's SIGTERM went
 *   out. A `cancelled` marker present before the start means the task is not started: it gets an exit
 *   record 143 (as if killed by SIGTERM) and an `E`, no `pid` record and no `S`.
 * - An exit record that cannot be written (a full disk) is kept and written again every second until
 *   it is (the `E` goes out at once: a live runner records the end in its database); the launcher
 *   does not exit before, so a runner started later sees the task running, then its true end.
 * - Exit codes: the task's own; 128+n when signal n ended it; 124 when its time limit ended it after the
 *   SIGTERM, 137 when that needed the SIGKILL (as `timeout --kill-after` gives); 126 when the working
 *   folder cannot be entered or the program cannot be run, 127 when it is not found (a message goes to
 *   stderr.log).
 */
#ifndef COHORT_LAUNCHER_IO_H
#define COHORT_LAUNCHER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

void flush_out(void);
/* Flushes the buffered reports when `urgent` or once the oldest is `delay_ns` old; returns the poll
   timeout in ms until it is due (-1: nothing waits). */
int flush_due(bool urgent, int64_t delay_ns);
/* Input: requests, one a line; a partial line is kept until its newline comes. */
bool read_lines(int fd, void (*on_line)(char *line));
void report(const char *kind, const char *seq, long long value, bool with_value);
void report_why(const char *seq, long long code, const char *why);
int64_t now_ns(void);
int64_t seconds_to_ns(double s);
char *join_path(const char *dir, const char *name);
int write_file(const char *dir, const char *name, const char *text);
/* The task's records, appended to its `launch` file: `pid <pid> <ticks> <limit>` and `exit <record>`
   (the latter into a file `exit` of its own when there is no `launch`). 0 or an errno. */
int write_started(const char *dir, const char *text);
int write_exit(const char *dir, const char *text);
/* `C <dir>`: empties `launch` and removes the rarer protocol files of an ended task's folder. */
void compact_folder(const char *dir);
int open_in(const char *dir, const char *name, int flags);
void task_message(const char *dir, const char *what, const char *subject, int err, char *why, size_t size);
char *read_launch(const char *dir, size_t *len);
/* Exit records a full disk had no room for: kept, and written again every second by retry_records,
   which returns the poll timeout in ms to its next try (-1: none kept). */
void keep_record(const char *dir, const char *text);
int retry_records(void);
size_t kept_records(void);
void start_ticks(pid_t pid, char *out, size_t size);

#endif
