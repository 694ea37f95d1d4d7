/** What the ready queue needs to know of a task. */
export interface Queued {
  /** `ready` until it starts or ends; anything else is skipped and dropped. */
  readonly phase: string;
  readonly held: boolean;
  /** Held by a `held` marker another process wrote (refreshed by the owner's watch). */
  readonly heldOnDisk: boolean;
  /** Slots it occupies while running. */
  readonly slots: number;
}

/**
 * First in, first out over tasks whose dependencies are met. Held tasks are passed over; the first task
 * that does not fit in the free slots stops the scan, so a wide task is never starved by narrow ones
 * behind it. Started tasks leave the array lazily (a moving head), so starting is O(1) even with
 * 100 000 tasks waiting.
 */
export class ReadyQueue<T extends Queued> {
  private items: T[] = [];
  private head = 0;

  push(task: T): void {
    this.items.push(task);
  }

  /** Queues again a task taken by `take` that could not start after all (phase `ready` again). */
  putBack(task: T): void {
    if (!this.items.includes(task, this.head)) this.items.push(task);
  }

  /** Takes the tasks that may start now with `free` slots, in order. */
  take(free: number): T[] {
    const taken: T[] = [];
    for (let i = this.head; i < this.items.length && free > 0; i++) {
      const task = this.items[i]!;
      if (task.phase !== 'ready' || task.held || task.heldOnDisk) continue;
      if (task.slots > free) break;
      free -= task.slots;
      taken.push(task);
    }
    return taken;
  }

  /** Drops started and ended tasks from the front (called after their phase changed). */
  compact(): void {
    while (this.head < this.items.length && this.items[this.head]!.phase !== 'ready') this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
