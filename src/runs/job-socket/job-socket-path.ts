import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFolder } from '../run-folder.js';

/** The socket's file in the run's folder (mode 0700: its owner's only). */
const SOCKET_NAME = 'job.sock';

/**
 * sockaddr_un.sun_path holds 108 bytes on Linux, its terminating NUL included: a longer path cannot be
 * bound at all.
 */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Where a run's owner listens for its jobs' in-job commands: `job.sock` in the run's folder, or, when
 * that path is too long for a unix socket, `<tmp>/cohort-<uid>/<hash of the run folder>.sock` (a
 * folder of this user's only; job-socket.ts checks it before listening). The same for every owner of
 * the run, so tasks started by an earlier owner find the next one.
 */
export function jobSocketPath(runsDir: string, runId: number): string {
  const folder = runFolder(runsDir, runId);
  const inRun = join(folder, SOCKET_NAME);
  if (Buffer.byteLength(inRun) <= MAX_SOCKET_PATH_BYTES) return inRun;
  const hash = createHash('sha256').update(folder).digest('hex').slice(0, 24);
  return join(shortSocketDir(), `${hash}.sock`);
}

/** The private folder for sockets whose run folder's path is too long. */
export function shortSocketDir(): string {
  return join(tmpdir(), `cohort-${process.getuid?.() ?? 'user'}`);
}
