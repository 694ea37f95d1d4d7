import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_FOLDER_FILES } from './task-folder.js';

/** The last non-empty line of a task's stderr, for the grid's error column. */
export function lastErrorLine(logDir: string): string | undefined {
  const text = readIfExists(join(logDir, TASK_FOLDER_FILES.stderr), 64 * 1024);
  return text
    ?.split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
}

/** Reads a file, or only its last `tailBytes` (logs may be gigabytes: never read them whole). */
export function readIfExists(path: string, tailBytes?: number): string | null {
  if (!existsSync(path)) return null;
  if (tailBytes === undefined) return readFileSync(path, 'utf8');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes of a file from `offset` on, and the offset to continue from (for following a growing log
 * without rereading it).
 */
export function readFrom(path: string, offset: number): { data: Buffer; next: number } {
  if (!existsSync(path)) return { data: Buffer.alloc(0), next: offset };
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // A log truncated by the size cap starts over: follow from its new beginning.
    const start = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    return { data: buffer, next: start + buffer.length };
  } finally {
    closeSync(fd);
  }
}
