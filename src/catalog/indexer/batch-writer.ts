import type { Db } from '../../db/open-database.js';
import { withBusyError } from '../../db/open-database.js';
import { CatalogWriter, emptyCounts, type IndexCounts } from './catalog-writer.js';
import type { ContainerChanges, SubjectScan } from './scan-types.js';

// One transaction (one WAL append) covers this many subjects: fewer commits, still frequent progress.
const SUBJECTS_PER_TRANSACTION = 64;

/**
 * Groups scan results into transactions and writes them. Each scan thread owns one, on its own
 * connection; `lock` (shared by all threads) makes them take turns, so one thread walks the disk while
 * another writes and nobody spins in SQLite's busy handler. The lock is not the database's lock: a
 * writer in another process is still waited for by SQLite's busy timeout.
 */
export class BatchWriter {
  private readonly writer: CatalogWriter;
  private readonly counts: IndexCounts = emptyCounts();
  private subjects: SubjectScan[] = [];
  private analyses: ContainerChanges[] = [];

  constructor(
    db: Db,
    projectId: number,
    private readonly databasePath: string,
    private readonly busyTimeoutMs: number,
    private readonly lock: Int32Array | null,
    private readonly onFlush: (delta: IndexCounts) => void,
  ) {
    this.writer = new CatalogWriter(db, projectId, this.counts);
  }

  subject(scan: SubjectScan): void {
    this.subjects.push(scan);
    if (this.subjects.length >= SUBJECTS_PER_TRANSACTION) this.flush();
  }

  analysis(changes: ContainerChanges): void {
    this.analyses.push(changes);
  }

  flush(): void {
    if (this.subjects.length === 0 && this.analyses.length === 0) return;
    const [subjects, analyses] = [this.subjects, this.analyses];
    this.subjects = [];
    this.analyses = [];
    withLock(this.lock, () =>
      withBusyError(this.databasePath, this.busyTimeoutMs, () => this.writer.write(subjects, analyses)),
    );
    this.onFlush({ ...this.counts });
    Object.assign(this.counts, emptyCounts());
  }
}

function withLock(lock: Int32Array | null, fn: () => void): void {
  if (lock === null) return fn();
  while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1);
  try {
    fn();
  } finally {
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0, 1);
  }
}
