import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A fresh temporary folder, removed after the test. World-writable so unprivileged children can use it. */
export function tempDir(prefix = 'cohort-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  made.push(dir);
  return dir;
}

afterEach(() => {
  // Retried: processes a test started may still write their last records while the folder goes (a
  // detached task launcher compacts ended task folders after its runner answered), and a removal that
  // meets a file created behind it fails with ENOTEMPTY (seen once in CI).
  for (const dir of made.splice(0))
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});
