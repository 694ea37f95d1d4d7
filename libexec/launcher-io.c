/*
 * The native task launcher's input and output (task-launcher.c): its buffered reports to the runner,
 * the small files it writes into task folders, the `launch` record it reads, and clock helpers. Split
 * from the launcher's loop so each file reads on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher-io.h"

/* ---- output: our own buffer, so a dead reader costs nothing and never blocks a flush for long ---- */

static char out_buf[1 << 16];
static size_t out_len;
static bool out_dead;
/* When the oldest report in `out_buf` was written (0: the buffer is empty). */
static int64_t out_since;

void flush_out(void) {
  size_t done = 0;
  while (!out_dead && done < out_len) {
    ssize_t n = write(STDOUT_FILENO, out_buf + done, out_len - done);
    if (n > 0)
      done += (size_t)n;
    else if (n < 0 && errno == EINTR)
      continue;
    else if (n < 0 && errno == EAGAIN) /* a non-blocking pipe (Node makes ours blocking): wait */
      poll(&(struct pollfd){.fd = STDOUT_FILENO, .events = POLLOUT}, 1, -1);
    else
      out_dead = true; /* EPIPE: the runner is gone; the files still tell everything */
  }
  out_len = 0;
  out_since = 0;
}

int flush_due(bool urgent, int64_t delay_ns) {
  if (out_len == 0) return -1;
  int64_t left = out_since + delay_ns - now_ns();
  if (urgent || left <= 0) {
    flush_out();
    return -1;
  }
  return (int)((left + 999999) / 1000000);
}

/* Appends a report line to the buffer, flushing first when it would not fit. */
static void put_line(const char *line, size_t n) {
  if (out_len + n > sizeof out_buf) flush_out();
  if (out_len == 0) out_since = now_ns();
  memcpy(out_buf + out_len, line, n);
  out_len += n;
}

void report(const char *kind, const char *seq, long long value, bool with_value) {
  char line[64 + PATH_MAX];
  int n = with_value ? snprintf(line, sizeof line, "%s %s %lld\n", kind, seq, value)
                     : snprintf(line, sizeof line, "%s\n", kind);
  if (n <= 0 || (size_t)n >= sizeof line) return;
  put_line(line, (size_t)n);
}

/* `E <seq> <code> <why>`: line breaks in `why` (a path may hold one) become spaces. */
void report_why(const char *seq, long long code, const char *why) {
  char line[128 + PATH_MAX];
  int n = snprintf(line, sizeof line, "E %s %lld %s", seq, code, why);
  if (n <= 0) return;
  if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2;
  for (int i = 0; i < n; i++)
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
  line[n++] = '\n';
  put_line(line, (size_t)n);
}

/* ---- input: requests, partial lines kept until their newline comes ---- */

static char *in_buf;
static size_t in_len, in_cap;

/* Reads what is there and runs the complete lines; false at end of input. */
bool read_lines(int fd, void (*on_line)(char *line)) {
  if (in_cap - in_len < 4096) {
    size_t cap = in_cap == 0 ? 65536 : in_cap * 2;
    char *grown = realloc(in_buf, cap);
    if (grown == NULL) return true; /* try again later */
    in_buf = grown;
    in_cap = cap;
  }
  ssize_t n = read(fd, in_buf + in_len, in_cap - in_len);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false; /* a partial last line means its writer died mid-request: not started */
  in_len += (size_t)n;
  size_t start = 0;
  for (;;) {
    char *nl = memchr(in_buf + start, '\n', in_len - start);
    if (nl == NULL) break;
    *nl = '\0';
    on_line(in_buf + start);
    start = (size_t)(nl - in_buf) + 1;
  }
  memmove(in_buf, in_buf + start, in_len - start);
  in_len -= start;
  return true;
}

/* ---- small helpers ---- */

int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t seconds_to_ns(double s) {
  if (!(s > 0)) return 0;
  if (s > 1e9) s = 1e9; /* 31 years: no limit in practice, and no overflow */
  return (int64_t)(s * 1e9);
}

char *join_path(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *p = malloc(a + b + 2);
  if (p == NULL) return NULL;
  memcpy(p, dir, a);
  p[a] = '/';
  memcpy(p + a + 1, name, b + 1);
  return p;
}

/*
 * Writes a whole small file in one write(2): readers check for the final newline anyway. Returns 0, or
 * the errno of what failed (ENOENT: the folder was removed, nobody is left to read it; ENOSPC, EDQUOT,
 * EFBIG: no room now). A file that could not be written whole is removed, never left half written.
 */
int write_file(const char *dir, const char *name, const char *text) {
  char *path = join_path(dir, name);
  if (path == NULL) return ENOMEM;
  int fd;
  do fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  while (fd < 0 && errno == EINTR);
  int err = fd < 0 ? errno : 0;
  size_t len = strlen(text), done = 0;
  while (fd >= 0 && done < len) {
    ssize_t n = write(fd, text + done, len - done);
    if (n > 0)
      done += (size_t)n;
    else if (!(n < 0 && errno == EINTR)) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
  }
  if (fd >= 0 && close(fd) != 0 && err == 0) err = errno; /* NFS reports a full disk at close */
  if (fd >= 0 && err != 0) unlink(path);
  free(path);
  return err;
}

/* Cuts `launch` back to `size` (a record that went out only in part). */
static void truncate_launch(const char *dir, off_t size) {
  char *path = join_path(dir, "launch");
  if (path == NULL) return;
  int ignored = truncate(path, size);
  (void)ignored;
  free(path);
}

/*
 * Appends one record line (`<kind> <text>`, text ending in its newline) to the task's `launch` file in
 * one write(2): the task's state lives in the file that named it, instead of a file of its own per
 * state (two inodes fewer per task; see src/executors/task-folder.ts). A record that could not be
 * written whole is cut off again, never left half written. Returns 0 or the errno (ENOENT: no `launch`).
 */
static int append_launch(const char *dir, const char *kind, const char *text) {
  char line[128 + HOST_NAME_MAX + 256];
  int len = snprintf(line, sizeof line, "%s %s", kind, text);
  if (len <= 0 || (size_t)len >= sizeof line) return EINVAL;
  int fd = open_in(dir, "launch", O_WRONLY | O_APPEND);
  if (fd < 0) return errno;
  struct stat st;
  int err = fstat(fd, &st) == 0 ? 0 : errno;
  size_t done = 0;
  while (err == 0 && done < (size_t)len) {
    ssize_t n = write(fd, line + done, (size_t)len - done);
    if (n > 0)
      done += (size_t)n;
    else if (!(n < 0 && errno == EINTR))
      err = n < 0 ? errno : ENOSPC;
  }
  if (close(fd) != 0 && err == 0) err = errno; /* NFS reports a full disk at close */
  if (err != 0 && done > 0) truncate_launch(dir, st.st_size);
  return err;
}

int write_started(const char *dir, const char *text) { return append_launch(dir, "pid", text); }

int write_exit(const char *dir, const char *text) {
  int err = append_launch(dir, "exit", text);
  /* No `launch` to append to (it could not be read, or was removed): the record gets its own file. */
  return err == ENOENT ? write_file(dir, "exit", text) : err;
}

/*
 * The protocol files of a task folder that matter only while its task is active: the same list as
 * WHILE_ACTIVE in src/executors/compact-task-folder.ts, which does this where no native launcher runs.
 * `launch`, which every task has, is emptied rather than removed (see compact_folder).
 */
static const char *const while_active[] = {"pid",       "started",    "exit",      "exit.tmp",
                                           "exit-code", "time-limit", "cancelled", "held"};

/*
 * `C <dir>`: the runner recorded the end of the task of `dir`; its folder keeps only what a person may
 * read (the logs, the job's files). Done here because this process outlives the runner: the command
 * answers without waiting for a whole run's folders.
 *
 * Nothing every task has is unlinked: ext4 without a journal (this project's machines) skips each inode
 * freed in the last minute, one by one, when it allocates a new one, so unlinking three files per task
 * at a run's end made the next run's file creations up to twice as slow. Emptying `launch` frees its
 * block (its environment and arguments) and no inode; empty logs stay, at no block each. Retention
 * (collect-garbage.ts) removes whole folders later. The other files are rare (markers, older records).
 */
void compact_folder(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return; /* removed already (retention, a cleared task) */
  int launch = openat(fd, "launch", O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (launch >= 0) close(launch);
  for (size_t i = 0; i < sizeof while_active / sizeof *while_active; i++) unlinkat(fd, while_active[i], 0);
  close(fd);
}

int open_in(const char *dir, const char *name, int flags) {
  char *path = join_path(dir, name);
  if (path == NULL) return -1;
  int fd;
  do fd = open(path, flags | O_CLOEXEC, 0666);
  while (fd < 0 && errno == EINTR);
  free(path);
  return fd;
}

/* Appends a line to the task's stderr.log: why it could not start; `why` gets it without the prefix. */
void task_message(const char *dir, const char *what, const char *subject, int err, char *why, size_t size) {
  char text[256 + PATH_MAX];
  snprintf(why, size, "%s%s%.*s: %s", what, *subject ? " " : "", PATH_MAX, subject, strerror(err));
  snprintf(text, sizeof text, "task-launcher: %s\n", why);
  int fd = open_in(dir, "stderr.log", O_WRONLY | O_APPEND | O_CREAT);
  if (fd < 0) return;
  ssize_t ignored = write(fd, text, strlen(text));
  (void)ignored;
  close(fd);
}

/* The whole `launch` file, NUL-terminated fields; NULL when unreadable. */
char *read_launch(const char *dir, size_t *len) {
  int fd = open_in(dir, "launch", O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < 0 || st.st_size > (off_t)(256 << 20)) {
    close(fd);
    return NULL;
  }
  size_t size = (size_t)st.st_size, done = 0;
  char *buf = malloc(size + 1);
  while (buf != NULL && done < size) {
    ssize_t n = read(fd, buf + done, size - done);
    if (n > 0)
      done += (size_t)n;
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  close(fd);
  if (buf == NULL) return NULL;
  buf[done] = '\0';
  *len = done;
  return buf;
}

/* Start ticks of a process (field 22 of /proc/<pid>/stat), or "0" when unreadable. */
void start_ticks(pid_t pid, char *out, size_t size) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  snprintf(out, size, "0");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n;
  do n = read(fd, text, sizeof text - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return;
  text[n] = '\0';
  /* The command name (field 2) may hold spaces and parentheses; after its last ')' all is plain. */
  char *p = strrchr(text, ')');
  if (p == NULL) return;
  p++;
  for (int field = 3; field < 22 && p != NULL; field++) p = strchr(p + 1, ' ');
  if (p == NULL) return;
  p++;
  size_t k = strcspn(p, " \n");
  if (k == 0 || k >= size) return;
  memcpy(out, p, k);
  out[k] = '\0';
}

/* ---- exit records that could not be written yet (a full disk): kept, and written again later ---- */

/* How often a kept exit record is tried again. */
#define RECORD_RETRY_NS 1000000000LL

struct record {
  char *dir;
  char *text;
};

static struct record *records;
static size_t nrecords, cap_records;

size_t kept_records(void) { return nrecords; }
static int64_t retry_at;

void keep_record(const char *dir, const char *text) {
  if (nrecords == cap_records) {
    size_t cap = cap_records == 0 ? 16 : cap_records * 2;
    struct record *grown = realloc(records, cap * sizeof *records);
    if (grown == NULL) return; /* out of memory too: the runner's database is all there is */
    records = grown;
    cap_records = cap;
  }
  char *d = strdup(dir), *t = strdup(text);
  if (d == NULL || t == NULL) {
    free(d);
    free(t);
    return;
  }
  records[nrecords++] = (struct record){d, t};
  if (nrecords == 1) retry_at = now_ns() + RECORD_RETRY_NS;
}

/* Writes the kept records once their time came; returns the poll timeout in ms to the next try (-1: none). */
int retry_records(void) {
  if (nrecords == 0) return -1;
  int64_t now = now_ns();
  if (now >= retry_at) {
    for (size_t i = 0; i < nrecords;) {
      int err = write_exit(records[i].dir, records[i].text);
      if (err != 0 && err != ENOENT) {
        i++;
        continue;
      }
      free(records[i].dir);
      free(records[i].text);
      records[i] = records[--nrecords];
    }
    retry_at = now + RECORD_RETRY_NS;
    if (nrecords == 0) return -1;
  }
  return (int)((retry_at - now + 999999) / 1000000);
}

