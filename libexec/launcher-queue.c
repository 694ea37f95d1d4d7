/*
 * Requests of the native launcher (the protocol: launcher-io.h). `Q` requests wait here for slots, so
 * that the next task starts the moment one ends, without a round trip through the runner (whose one
 * thread may be busy writing a thousand task states): the runner hands over a few ready tasks ahead.
 */
#define _GNU_SOURCE
#include "launcher-queue.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "launcher-io.h"

struct queued {
  char *seq, *limit, *dir;
  int slots;
};

static struct queued *queue;
static size_t head, len, cap;

static void push(const char *seq, const char *limit, const char *dir, int slots) {
  if (head > 0 && len == cap) { /* reuse the room of started ones before growing */
    memmove(queue, queue + head, (len - head) * sizeof *queue);
    len -= head;
    head = 0;
  }
  if (len == cap) {
    size_t grown_cap = cap == 0 ? 64 : cap * 2;
    struct queued *grown = realloc(queue, grown_cap * sizeof *queue);
    if (grown == NULL) return; /* never started: the runner sees a lost task */
    queue = grown;
    cap = grown_cap;
  }
  struct queued q = {strdup(seq), strdup(limit), strdup(dir), slots < 1 ? 1 : slots};
  queue[len++] = q;
}

static void forget(struct queued *q) {
  free(q->seq);
  free(q->limit);
  free(q->dir);
}

/* The task's `launch` goes with its request: no launcher will start it (see drop_queued). */
static void unlink_launch(const char *dir) {
  char *path = join_path(dir, "launch");
  if (path != NULL) unlink(path);
  free(path);
}

/* `W <seq>`: a queued task is taken back (held or cancelled): `U <seq>`; a started one stays. */
static void withdraw(const char *seq) {
  for (size_t i = head; i < len; i++) {
    if (queue[i].seq == NULL || strcmp(queue[i].seq, seq) != 0) continue;
    unlink_launch(queue[i].dir);
    report("U", seq, 0, true);
    forget(&queue[i]);
    memmove(queue + i, queue + i + 1, (len - i - 1) * sizeof *queue);
    len--;
    return;
  }
}

/* A `held` marker (`cohort grid hold` from another process) came after the hand-over. */
static bool held(const char *dir) {
  char *path = join_path(dir, "held");
  bool found = path != NULL && access(path, F_OK) == 0;
  free(path);
  return found;
}

void start_queued(start_fn start, int capacity, const int *used) {
  while (head < len && (*used == 0 || *used + queue[head].slots <= capacity)) {
    struct queued q = queue[head++];
    if (q.seq != NULL && q.limit != NULL && q.dir != NULL) {
      if (held(q.dir)) {
        unlink_launch(q.dir);
        report("U", q.seq, 0, true);
      } else {
        start(q.seq, q.limit, q.dir, q.slots);
      }
    }
    forget(&q);
  }
  if (head == len) head = len = 0;
}

void drop_queued(void) {
  for (; head < len; head++) {
    if (queue[head].dir != NULL) unlink_launch(queue[head].dir);
    forget(&queue[head]);
  }
  head = len = 0;
}

/* Splits off the first space-separated word of `*rest`; NULL when there is none. */
static char *word(char **rest) {
  char *w = *rest, *space = strchr(w, ' ');
  if (space == NULL || space == w) return NULL;
  *space = '\0';
  *rest = space + 1;
  return w;
}

void request(char *line, start_fn start) {
  if (line[0] == 'C' && line[1] == ' ') {
    if (line[2] != '\0') compact_folder(line + 2);
    return;
  }
  if (line[0] == 'W' && line[1] == ' ') {
    withdraw(line + 2);
    return;
  }
  char *rest = line;
  bool queued = line[0] == 'Q' && line[1] == ' ';
  char *slots = queued ? (rest += 2, word(&rest)) : NULL;
  char *seq = word(&rest);
  char *limit = seq == NULL ? NULL : word(&rest);
  /* Malformed lines are skipped: there is nothing to report them to. */
  if ((queued && slots == NULL) || limit == NULL || *rest == '\0') return;
  if (queued)
    push(seq, limit, rest, atoi(slots));
  else
    start(seq, limit, rest, 0);
}

size_t waiting(void) { return len - head; }
