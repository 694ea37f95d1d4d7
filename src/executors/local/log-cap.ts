import {
  appendFileSync,
  closeSync,
  openSync,
  readSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { TASK_FILES } from './task-files.js';

/** Default cap of each log file of a task: 64 MiB. */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

/** Most of a log's end kept when a task ends over the cap (read into memory at once). */
const MAX_TAIL_BYTES = 8 * 1024 * 1024;

/**
 * Keeps a task that writes gigabytes from filling the disk. While the task runs (checked about every
 * second): a `stdout.log` or `stderr.log` larger than `capBytes` is truncated to zero and a line says
 * so; the wrapper opened the logs with `>>` (O_APPEND), so the task's next write lands at the new end
 * instead of leaving a hole. When it has ended (`ended`), a log still over the cap keeps its last half
 * cap (at most 8 MiB) after that line: the end of a log is where the errors are. Returns whether a log
 * was cut.
 */
export function capTaskLogs(logDir: string, capBytes: number, ended = false): boolean {
  let cut = false;
  for (const name of [TASK_FILES.stdout, TASK_FILES.stderr]) {
    const file = join(logDir, name);
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size <= capBytes) continue;
    const notice = `[cohort: log exceeded ${formatMiB(capBytes)} MiB; earlier output dropped]\n`;
    try {
      if (ended) writeFileSync(file, Buffer.concat([Buffer.from(notice), tail(file, size, capBytes)]));
      else {
        truncateSync(file, 0);
        appendFileSync(file, notice);
      }
      cut = true;
    } catch {
      // The folder was removed under us: nothing left to cap.
    }
  }
  return cut;
}

/** The last half cap of a file (its first line may be cut). */
function tail(file: string, size: number, capBytes: number): Buffer {
  const length = Math.min(Math.floor(capBytes / 2), MAX_TAIL_BYTES, size);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer;
}

function formatMiB(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 100) / 100);
}
