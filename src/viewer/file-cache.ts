/**
 * A small most-recently-used cache of parsed files keyed by path, size and modification time, so that
 * the viewer's selection round trips (one per sphere drag) do not re-read a tract file, and a file
 * changed on disk is read afresh. Holds at most `capacity` entries (tractograms are large).
 */
export class FileCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  /** The cached value for this file version, else `load()`'s (then cached, evicting the oldest). */
  get(file: { absolutePath: string; size: number; mtimeMs: number }, load: () => T): T {
    const key = `${file.absolutePath}\0${file.size}\0${file.mtimeMs}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = load();
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
