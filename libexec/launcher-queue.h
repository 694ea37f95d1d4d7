/*
 * The native launcher's requests (launcher-queue.c): parsing the lines of its input, and the queue of
 * requests that wait for slots (`Q` requests, see launcher-io.h).
 */
#ifndef COHORT_LAUNCHER_QUEUE_H
#define COHORT_LAUNCHER_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

/* Starts one task: its request number, time limit text, log folder and the slots it takes. */
typedef void (*start_fn)(const char *seq, const char *limit, const char *dir, int slots);

/* Acts on one request line: starts a task now, queues it, withdraws one, or compacts a folder. */
void request(char *line, start_fn start);
/* Starts queued tasks, first in first out, while they fit in `capacity` with `*used` slots taken (one
   at a time when nothing runs, however wide). */
void start_queued(start_fn start, int capacity, const int *used);
/* The runner is gone: queued tasks never start. Their `launch` files go, so a later runner sees tasks
   that never reached a launcher and submits them again. */
void drop_queued(void);
/* How many `Q` requests wait for slots. */
size_t waiting(void);

#endif
