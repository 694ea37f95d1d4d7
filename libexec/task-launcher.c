/*
 * The native task launcher of the local executor (src/executors/local/launcher.ts); a drop-in for
 * libexec/task-launcher.bash with the same protocol and files, built by scripts/build-launcher.sh into
 * dist/libexec/task-launcher. Linux and glibc >= 2.29 only (posix_spawn_file_actions_addfchdir_np).
 *
 * Why a C program: on a small VM fork is the cost of a task. The bash launcher forks itself (page
 * tables, copy-on-write faults) and then does shell work in the child before exec; here glibc's
 * posix_spawn uses CLONE_VFORK (no copy of the address space) and the child does only the few system
 * calls the attributes ask for. Time limits are enforced here too, so no coreutils `timeout` process sits
 * between the launcher and the task.
 *
 * Protocol and files: launcher-io.h (shared with the bash launcher; the Node side is the same for both).
 *
 * Each task is its own process group (kill and suspend act on everything it starts), with stdin from
 * /dev/null, stdout and stderr appended to stdout.log and stderr.log, default signal dispositions and an
 * empty signal mask (this launcher ignores SIGPIPE and SIGUSR1; a task must not inherit that), and
 * exactly the environment of its `launch` file. argv[0] is looked up as execvp does, on the TASK's PATH:
 * `environ` points at the task's environment for the duration of posix_spawnp, whose child (sharing our
 * memory until exec) reads PATH from it; relative PATH entries and a relative program name are taken
 * from the task's working folder, as after a shell's `cd`. Unlike bash's `exec`, a file without a `#!`
 * line is not retried as a shell script (glibc's posix_spawnp does not), so scripts need their `#!`.
 *
 * At the time limit, and when its leader ended leaving others behind, the task's group gets SIGTERM
 * (and SIGCONT: a suspended task acts on it), then SIGKILL after the grace if anything of it is left.
 *
 * The launcher lives in its own session (launcher.ts starts it detached): a runner killed with -9 leaves
 * it running; it sees the end of its input, stops taking requests, and still reaps, records and
 * time-limits every task it started, then exits 0. SIGUSR1 (which runners before 2026-12-03 sent
 * the bash launcher to wake it) is ignored: this one never blocks anywhere but in poll().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "launcher-io.h"
#include "launcher-queue.h"

extern char **environ;

/* A task this launcher started; kept after its leader is reaped while a SIGKILL is still due. */
struct task {
  pid_t pid; /* also its process group id */
  char *seq;
  char *dir;
  bool limited;
  bool termed;   /* its time limit passed: SIGTERM sent */
  bool killed;   /* SIGKILL sent */
  bool reaped;   /* ended and recorded; only the SIGKILL of leftovers is pending */
  int slots;     /* of `capacity`, taken until it is reaped (0: started by a plain request) */
  long long started_s; /* epoch s of the spawn */
  int64_t term_at; /* monotonic ns */
  int64_t kill_at;
};

static const char *host;
static int64_t grace_ns;
static struct task *tasks;
static size_t ntasks, cap_tasks;
static sigset_t default_signals; /* signals ignored here that tasks get back at their default */
static int devnull = -1;
static int capacity, used; /* slots for `Q` requests (argv[4]), and those their running tasks take */

/*
 * How long reports may wait in the buffer while the runner has handed over more than four tasks per slot:
 * each flush wakes the runner, which answers with a write that wakes this process. With a thousand
 * one-millisecond tasks that was a thousand round trips (a third of the runner's system time); the
 * queue meanwhile keeps every slot busy. A short queue flushes at once: the runner must refill it.
 */
#define REPORT_DELAY_NS (4 * 1000000LL)

/* ---- tasks ---- */

static struct task *add_task(void) {
  if (ntasks == cap_tasks) {
    size_t cap = cap_tasks == 0 ? 16 : cap_tasks * 2;
    struct task *grown = realloc(tasks, cap * sizeof *tasks);
    if (grown == NULL) return NULL;
    tasks = grown;
    cap_tasks = cap;
  }
  struct task *t = &tasks[ntasks++];
  memset(t, 0, sizeof *t);
  return t;
}

static void remove_task(size_t i) {
  free(tasks[i].seq);
  free(tasks[i].dir);
  tasks[i] = tasks[--ntasks];
}

/*
 * Records the end of a task: its exit record (`started_s` < 0: it never started), then `E` (with why
 * it could not start, when it did not). A record the disk has no room for is kept and tried again.
 */
static void record_end(const char *seq, const char *dir, int code, const char *cause, long long started_s,
                       const char *why) {
  char text[96 + HOST_NAME_MAX + 256], start[32] = "-";
  if (started_s >= 0) snprintf(start, sizeof start, "%lld", started_s);
  snprintf(text, sizeof text, "%d %s %s %s %lld\n", code, cause, host, start, (long long)time(NULL));
  int err = write_exit(dir, text);
  if (err != 0 && err != ENOENT) keep_record(dir, text);
  if (why != NULL && *why != '\0')
    report_why(seq, code, why);
  else
    report("E", seq, code, true);
}

/* A task that never got a process (cancelled, or it could not start): it ends at once. */
static void end_unstarted(const char *seq, const char *dir, int code, const char *why) {
  record_end(seq, dir, code, code == 128 + SIGTERM ? "cancelled" : "could-not-start", -1, why);
}

/*
 * Starts the task of one request. The cwd and the logs are opened here, not in the child, so that a
 * failure of posix_spawn can only be the program's (and a missing folder gets its own code, 126).
 */
static void start_task(const char *seq, const char *limit_text, const char *dir, int slots) {
  char *marker = join_path(dir, "cancelled");
  bool cancelled = marker != NULL && access(marker, F_OK) == 0;
  free(marker);
  if (cancelled) {
    end_unstarted(seq, dir, 128 + SIGTERM, NULL); /* as if the TERM of the cancel had ended it */
    return;
  }
  size_t len = 0;
  char why[256 + PATH_MAX] = "";
  char *launch = read_launch(dir, &len);
  /* Fields: identity, cwd, argc, argv[argc], env... */
  size_t nfields = 0;
  for (size_t i = 0; launch != NULL && i < len; i++) nfields += launch[i] == '\0';
  char **fields = launch == NULL ? NULL : calloc(nfields + 2, sizeof *fields);
  size_t argc = 0;
  if (fields != NULL) {
    size_t k = 0;
    for (char *p = launch; k < nfields; p += strlen(p) + 1) fields[k++] = p;
    char *end = NULL;
    argc = nfields >= 3 ? strtoul(fields[2], &end, 10) : 0;
    if (end == fields[2] || (end != NULL && *end != '\0') || argc == 0 || argc > nfields - 3) argc = 0;
  }
  if (argc == 0) {
    task_message(dir, "cannot read the task's launch file", "", launch == NULL ? errno : EINVAL, why, sizeof why);
    free(fields);
    free(launch);
    end_unstarted(seq, dir, 127, why);
    return;
  }
  const char *cwd = fields[1];
  /* argv is copied to end in its own NULL; envp runs to the NULLs calloc left after the last field. */
  char **args = malloc((argc + 1) * sizeof *args);
  if (args != NULL) {
    memcpy(args, fields + 3, argc * sizeof *args);
    args[argc] = NULL;
  }
  char **envp = fields + 3 + argc;

  int cwd_fd = open(cwd, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int cwd_errno = errno;
  int out_fd = open_in(dir, "stdout.log", O_WRONLY | O_APPEND | O_CREAT);
  int out_errno = errno;
  int err_fd = open_in(dir, "stderr.log", O_WRONLY | O_APPEND | O_CREAT);
  int err_errno = errno;
  int code = 0;
  pid_t pid = -1;
  if (args == NULL || out_fd < 0 || err_fd < 0) {
    /* The log folder is gone, the disk full, or no file descriptor left: only the report can say it. */
    code = 126;
    if (args == NULL)
      snprintf(why, sizeof why, "out of memory");
    else
      snprintf(why, sizeof why, "cannot create %s: %s", out_fd < 0 ? "stdout.log" : "stderr.log",
               strerror(out_fd < 0 ? out_errno : err_errno));
  } else if (cwd_fd < 0) {
    task_message(dir, "cd:", cwd, cwd_errno, why, sizeof why);
    code = 126;
  } else {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, devnull, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    posix_spawn_file_actions_addfchdir_np(&actions, cwd_fd); /* last: the paths above are absolute */
    posix_spawnattr_init(&attr);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigdefault(&attr, &default_signals);
    posix_spawnattr_setsigmask(&attr, &empty);
    /* The child looks up argv[0] on `environ`'s PATH: the task's, for the length of this call. */
    char **own = environ;
    environ = envp;
    int rc = posix_spawnp(&pid, args[0], &actions, &attr, args, envp);
    environ = own;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      /* glibc has reaped the child that failed; its fds were the task's logs, so we say why here. */
      task_message(dir, "cannot run", args[0], rc, why, sizeof why);
      code = rc == ENOENT ? 127 : 126;
      pid = -1;
    }
  }
  if (cwd_fd >= 0) close(cwd_fd);
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  free(args);
  free(fields);
  free(launch);
  if (pid <= 0) {
    end_unstarted(seq, dir, code, why);
    return;
  }

  char ticks[32], text[128];
  start_ticks(pid, ticks, sizeof ticks); /* it may have exited: a zombie until we reap it, still in /proc */
  snprintf(text, sizeof text, "%d %s %s\n", (int)pid, ticks, limit_text);
  write_started(dir, text);
  report("S", seq, pid, true);

  struct task *t = add_task();
  char *seq_copy = strdup(seq), *dir_copy = strdup(dir);
  if (t == NULL || seq_copy == NULL || dir_copy == NULL) {
    /* Out of memory: we cannot track it, so do not leave it running untracked. */
    if (t != NULL) ntasks--;
    free(seq_copy);
    free(dir_copy);
    kill(-pid, SIGKILL);
    return; /* reaped by the waitpid loop as an unknown child; the runner sees no exit: `lost` */
  }
  t->pid = pid;
  t->slots = slots;
  used += slots;
  t->seq = seq_copy;
  t->dir = dir_copy;
  t->started_s = (long long)time(NULL);
  int64_t limit = seconds_to_ns(strtod(limit_text, NULL));
  t->limited = limit > 0;
  if (t->limited) t->term_at = now_ns() + limit;
}

static void on_request(char *line) {
  request(line, start_task);
}

/* The exit code as the bash launcher (with `timeout --foreground --kill-after`) gives it. */
static int exit_code(const struct task *t, int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (t->termed) return sig == SIGKILL ? 128 + SIGKILL : 124;
    return 128 + sig;
  }
  if (t->termed) return 124;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static bool is_task_pid(pid_t pid) {
  for (size_t i = 0; i < ntasks; i++)
    if (!tasks[i].reaped && tasks[i].pid == pid) return true;
  return false;
}

static void reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    if (!WIFEXITED(status) && !WIFSIGNALED(status)) continue;
    for (size_t i = 0; i < ntasks; i++) {
      struct task *t = &tasks[i];
      if (t->reaped || t->pid != pid) continue;
      record_end(t->seq, t->dir, exit_code(t, status), t->termed ? "time-limit" : "exit", t->started_s, NULL);
      used -= t->slots; /* as the runner frees them at the `E` */
      t->slots = 0;
      if (!t->killed && kill(-pid, 0) == 0) {
        /* Its group outlives it (a job that backgrounded a child): the task has ended, so has all of
           it. TERM now, SIGKILL at the end of the grace, as at a time limit. */
        if (!t->termed) {
          t->termed = true;
          t->kill_at = now_ns() + grace_ns;
          kill(-pid, SIGTERM);
          kill(-pid, SIGCONT);
        }
        t->reaped = true;
      } else {
        remove_task(i);
      }
      break;
    }
  }
}

/* Acts on the deadlines that passed; returns the poll timeout in ms to the nearest one (-1: none). */
static int deadlines(void) {
  int64_t now = now_ns(), nearest = INT64_MAX;
  for (size_t i = 0; i < ntasks;) {
    struct task *t = &tasks[i];
    if (t->limited && !t->termed && now >= t->term_at) {
      t->termed = true;
      t->kill_at = now + grace_ns;
      write_file(t->dir, "time-limit", "");
      kill(-t->pid, SIGTERM);
      kill(-t->pid, SIGCONT); /* a suspended task would otherwise hold the TERM pending */
    }
    if (t->termed && !t->killed && now >= t->kill_at) {
      t->killed = true;
      /* A reaped leader's pid can be a new task's by now only if its group is empty: then skip. */
      if (!t->reaped || !is_task_pid(t->pid)) kill(-t->pid, SIGKILL);
    }
    if (t->reaped && t->killed) {
      remove_task(i);
      continue;
    }
    if (t->limited && !t->termed && t->term_at < nearest) nearest = t->term_at;
    if (t->termed && !t->killed && t->kill_at < nearest) nearest = t->kill_at;
    i++;
  }
  if (nearest == INT64_MAX) return -1;
  int64_t ms = (nearest - now + 999999) / 1000000;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: task-launcher HOST GRACE_SECONDS [TIMEOUT_PATH [SLOTS]]\n");
    return 2;
  }
  host = argv[1];
  grace_ns = seconds_to_ns(strtod(argv[2], NULL));
  capacity = argc > 4 ? atoi(argv[4]) : 0;

  signal(SIGPIPE, SIG_IGN);
  signal(SIGUSR1, SIG_IGN);
  /* Whatever is ignored here (ours above, or inherited, e.g. SIGHUP under nohup) is reset in tasks. */
  sigemptyset(&default_signals);
  for (int sig = 1; sig < NSIG; sig++) {
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) sigaddset(&default_signals, sig);
  }
  /*
   * glibc's spawn child sets its two internal signals (32 and 33, below SIGRTMIN) to SIG_IGN, and exec
   * keeps them ignored, unless they are in the SETSIGDEF set; sigaddset refuses them, so set the bits of
   * glibc's sigset_t directly.
   */
  for (int sig = 32; sig < SIGRTMIN; sig++) {
    const size_t bits = 8 * sizeof default_signals.__val[0];
    default_signals.__val[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
  }
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (sfd < 0 || devnull < 0) {
    perror("task-launcher");
    return 1;
  }

  report("R", "", 0, false);
  flush_out();
  bool eof = false;
  int report_due = -1;
  for (;;) {
    int timeout = deadlines(), retry = retry_records();
    if (retry >= 0 && (timeout < 0 || retry < timeout)) timeout = retry;
    if (report_due >= 0 && (timeout < 0 || report_due < timeout)) timeout = report_due;
    if (eof && ntasks == 0 && kept_records() == 0) break; /* every end is recorded */
    struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN}, {.fd = eof ? -1 : STDIN_FILENO, .events = POLLIN}};
    int n = poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) {
      perror("task-launcher: poll");
      return 1;
    }
    if (n > 0 && fds[0].revents != 0) {
      struct signalfd_siginfo info[16];
      while (read(sfd, info, sizeof info) > 0) {
      } /* one wake-up for any number of ends: waitpid finds them all */
      reap();
    }
    if (n > 0 && fds[1].revents != 0 && !read_lines(STDIN_FILENO, on_request)) {
      eof = true;
      drop_queued();
    }
    start_queued(start_task, capacity, &used);
    report_due = flush_due(eof || waiting() <= (size_t)capacity * 4, REPORT_DELAY_NS);
  }
  return 0;
}
