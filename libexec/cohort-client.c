/*
 * The `cohort` a job finds on its PATH (src/runs/task-environment.ts writes a shim that runs
 * `cohort-client NODE MAIN ARG...`), built by scripts/build-launcher.sh into dist/libexec/cohort-client.
 *
 * Why a C program: a job that registers its outputs calls `cohort add` once per file, and starting Node
 * alone costs more than the 80 ms such a call may take (docs/benchmarks.md, "In-job `cohort add`"). The
 * process that owns the run is already running, with the catalog code loaded: for the in-job commands
 * (add, select, tag, record) this client sends the command line to it over the run's unix socket
 * (COHORT_SOCKET) and prints its answer. The owner runs the very function the Node CLI runs, so the
 * output, the exit code and the catalog are the same either way.
 *
 * Anything else, and whenever the socket does not answer (no COHORT_SOCKET or COHORT_TOKEN, the owner
 * is gone, a cluster node that cannot reach it, a refusal), execs `NODE MAIN ARG...`: the Node CLI,
 * exactly as before this client existed. Nothing here goes through a shell; arguments travel as bytes.
 *
 * A stale socket (its owner killed) refuses the connection at once, so the fallback costs nothing more
 * than the Node start. `cohort-client --probe` exits 0: the shim runs it first, so that a client that
 * cannot start here (missing, not executable, another architecture) falls back to Node too.
 *
 * Protocol: src/runs/job-socket/job-request.ts. COHORT_CLIENT_TRACE=1 says on stderr which way a call
 * went (tests and benches use it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static const char PROTOCOL[] = "cohort-job/1";
static const char *const IN_JOB_COMMANDS[] = {"add", "select", "tag", "record", NULL};

/* A growing byte buffer; on allocation failure the whole call falls back to Node. */
struct buf {
  char *data;
  size_t len, cap;
  int failed;
};

static void put(struct buf *b, const void *data, size_t len) {
  if (b->failed) return;
  if (b->len + len > b->cap) {
    size_t cap = b->cap == 0 ? 4096 : b->cap;
    while (cap < b->len + len) cap *= 2;
    char *grown = realloc(b->data, cap);
    if (grown == NULL) {
      b->failed = 1;
      return;
    }
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
}

static void put_field(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

/* ---- the answer: {"code":N,"out":[[1,"text"],[2,"text"],...]} or {"refused":"why"} ---- */

struct chunk {
  int fd;
  const char *text;
  size_t len;
};

struct parser {
  char *p, *end;
};

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r')) ps->p++;
}

static int expect(struct parser *ps, char c) {
  skip_ws(ps);
  if (ps->p >= ps->end || *ps->p != c) return 0;
  ps->p++;
  return 1;
}

static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

static char *utf8(char *w, unsigned cp) {
  if (cp < 0x80) *w++ = (char)cp;
  else if (cp < 0x800) {
    *w++ = (char)(0xC0 | (cp >> 6));
    *w++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = (char)(0xE0 | (cp >> 12));
    *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *w++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *w++ = (char)(0xF0 | (cp >> 18));
    *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *w++ = (char)(0x80 | (cp & 0x3F));
  }
  return w;
}

/* A JSON string, decoded in place (the UTF-8 of an escape is never longer than the escape). */
static int parse_string(struct parser *ps, const char **text, size_t *len) {
  if (!expect(ps, '"')) return 0;
  char *w = ps->p;
  *text = w;
  while (ps->p < ps->end) {
    char c = *ps->p++;
    if (c == '"') {
      *len = (size_t)(w - *text);
      return 1;
    }
    if (c != '\\') {
      *w++ = c;
      continue;
    }
    if (ps->p >= ps->end) return 0;
    char e = *ps->p++;
    switch (e) {
    case '"': case '\\': case '/': *w++ = e; break;
    case 'b': *w++ = '\b'; break;
    case 'f': *w++ = '\f'; break;
    case 'n': *w++ = '\n'; break;
    case 'r': *w++ = '\r'; break;
    case 't': *w++ = '\t'; break;
    case 'u': {
      unsigned cp, low;
      if (ps->end - ps->p < 4 || !hex4(ps->p, &cp)) return 0;
      ps->p += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
          hex4(ps->p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
        ps->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else if (cp >= 0xD800 && cp < 0xE000) {
        cp = 0xFFFD; /* a lone surrogate: what Node writes for one */
      }
      w = utf8(w, cp);
      break;
    }
    default: return 0;
    }
  }
  return 0;
}

static int parse_int(struct parser *ps, long *out) {
  skip_ws(ps);
  char *after;
  errno = 0;
  long v = strtol(ps->p, &after, 10);
  if (after == ps->p || errno != 0 || after > ps->end) return 0;
  ps->p = after;
  *out = v;
  return 1;
}

/* 1: an answer (code, chunks); 0: a refusal or anything unreadable (fall back). */
static int parse_answer(char *data, size_t len, long *code, struct chunk **chunks, size_t *count,
                        const char **why) {
  struct parser ps = {data, data + len};
  const char *key;
  size_t key_len;
  int have_code = 0, have_out = 0;
  *why = "an unreadable answer";
  if (!expect(&ps, '{')) return 0;
  do {
    if (!parse_string(&ps, &key, &key_len) || !expect(&ps, ':')) return 0;
    if (key_len == 7 && memcmp(key, "refused", 7) == 0) {
      size_t n;
      if (parse_string(&ps, why, &n)) ((char *)*why)[n] = '\0'; /* the closing quote's place */
      return 0;
    } else if (key_len == 4 && memcmp(key, "code", 4) == 0) {
      if (!parse_int(&ps, code)) return 0;
      have_code = 1;
    } else if (key_len == 3 && memcmp(key, "out", 3) == 0) {
      size_t cap = 16;
      *chunks = malloc(cap * sizeof **chunks);
      if (*chunks == NULL || !expect(&ps, '[')) return 0;
      skip_ws(&ps);
      if (ps.p < ps.end && *ps.p == ']') ps.p++;
      else {
        do {
          long fd;
          struct chunk c;
          if (!expect(&ps, '[') || !parse_int(&ps, &fd) || (fd != 1 && fd != 2) || !expect(&ps, ',') ||
              !parse_string(&ps, &c.text, &c.len) || !expect(&ps, ']'))
            return 0;
          c.fd = (int)fd;
          if (*count == cap) {
            cap *= 2;
            struct chunk *grown = realloc(*chunks, cap * sizeof **chunks);
            if (grown == NULL) return 0;
            *chunks = grown;
          }
          (*chunks)[(*count)++] = c;
        } while (expect(&ps, ','));
        if (!expect(&ps, ']')) return 0;
      }
      have_out = 1;
    } else {
      return 0;
    }
  } while (expect(&ps, ','));
  return expect(&ps, '}') && have_code && have_out;
}

/* ---- the call ---- */

static int in_job_command(const char *word) {
  for (const char *const *c = IN_JOB_COMMANDS; *c != NULL; c++)
    if (strcmp(word, *c) == 0) return 1;
  return 0;
}

/* Sends the command line; returns the socket, or -1 with *why set. */
static int send_request(int argc, char **argv, const char **why) {
  const char *path = getenv("COHORT_SOCKET");
  if (path == NULL || *path == '\0' || getenv("COHORT_TOKEN") == NULL) return *why = "no job socket", -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return *why = "socket path too long", -1;
  strcpy(addr.sun_path, path);
  char *cwd = getcwd(NULL, 0);
  if (cwd == NULL) return *why = "no working folder", -1;
  struct buf body = {0};
  put(&body, "\0\0\0\0", 4); /* the length, below */
  put_field(&body, PROTOCOL);
  put_field(&body, cwd);
  free(cwd);
  for (char **e = environ; *e != NULL; e++)
    if (strncmp(*e, "COHORT_", 7) == 0) put_field(&body, *e);
  put(&body, "", 1);
  for (int i = 0; i < argc; i++) put_field(&body, argv[i]);
  if (body.failed) return *why = "out of memory", -1;
  uint32_t n = (uint32_t)(body.len - 4);
  unsigned char head[4] = {n >> 24, n >> 16, n >> 8, n};
  memcpy(body.data, head, 4);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    *why = strerror(errno);
    if (fd >= 0) close(fd);
    free(body.data);
    return -1;
  }
  for (size_t sent = 0; sent < body.len;) {
    ssize_t w = send(fd, body.data + sent, body.len - sent, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      *why = strerror(errno);
      close(fd);
      free(body.data);
      return -1;
    }
    sent += (size_t)w;
  }
  free(body.data);
  return fd;
}

static void write_all(int fd, const char *text, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, text, len);
    if (w < 0 && errno == EINTR) continue;
    /* A reader that stopped early (`cohort select ... | head -1`): end quietly, as the Node CLI does. */
    if (w < 0 && errno == EPIPE) exit(0);
    if (w <= 0) return;
    text += w;
    len -= (size_t)w;
  }
}

/* Runs the command through the socket: 1 and *code when answered, 0 and *why when not. */
static int through_socket(int argc, char **argv, int *code, const char **why) {
  if (argc == 0 || !in_job_command(argv[0])) return *why = "not an in-job command", 0;
  int fd = send_request(argc, argv, why);
  if (fd < 0) return 0;
  struct buf answer = {0};
  char block[65536];
  for (;;) {
    ssize_t r = read(fd, block, sizeof block);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      *why = strerror(errno);
      close(fd);
      return 0;
    }
    if (r == 0) break;
    put(&answer, block, (size_t)r);
  }
  close(fd);
  long status = 1;
  struct chunk *chunks = NULL;
  size_t count = 0;
  /* An owner killed mid-request leaves no answer: the Node CLI then runs the command (adding, tagging
   * or recording twice changes nothing; docs/architecture.md names the one exception). */
  if (answer.len == 0) return *why = "no answer", 0;
  put(&answer, "", 1); /* a NUL after the text: strtol stops there at the latest */
  if (answer.failed) return *why = "out of memory", 0;
  if (!parse_answer(answer.data, answer.len - 1, &status, &chunks, &count, why)) return 0;
  signal(SIGPIPE, SIG_IGN);
  for (size_t i = 0; i < count; i++) write_all(chunks[i].fd, chunks[i].text, chunks[i].len);
  *code = status < 0 || status > 255 ? 1 : (int)status;
  return 1;
}

int main(int argc, char **argv) {
  /* The shim's check that this binary starts on this machine (built, executable, its architecture). */
  if (argc == 2 && strcmp(argv[1], "--probe") == 0) return 0;
  if (argc < 3) {
    fprintf(stderr, "usage: %s NODE CLI-MAIN [ARG...]\n", argv[0]);
    return 2;
  }
  const char *trace = getenv("COHORT_CLIENT_TRACE");
  int traced = trace != NULL && *trace != '\0';
  int code;
  const char *why = NULL;
  if (through_socket(argc - 3, argv + 3, &code, &why)) {
    if (traced) fprintf(stderr, "cohort-client: answered by the run's owner\n");
    return code;
  }
  if (traced) fprintf(stderr, "cohort-client: Node CLI (%s)\n", why);
  execv(argv[1], argv + 1);
  fprintf(stderr, "cohort: cannot run %s: %s\n", argv[1], strerror(errno));
  return 127;
}
