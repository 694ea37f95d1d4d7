import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Db } from '../db/open-database.js';
import { createJobToken, revokeRunTokens } from '../users/api-tokens.js';
import { runFile } from './run-folder.js';

/** Where a run keeps the secret of its job credential: in its own folder, readable by its owner only. */
function credentialFile(runsDir: string, runId: number): string {
  return runFile(runsDir, runId, 'jobToken');
}

/**
 * Gives a run its job credential: an API token that reaches only the run's project (read, tag and add
 * files there) and ends with the run. The database keeps only its hash; the secret goes into the run's
 * folder (mode 0600) and reaches the run's tasks as `COHORT_TOKEN` when they start.
 */
export function issueJobCredential(db: Db, runsDir: string, projectId: number, runId: number): void {
  const { token } = createJobToken(db, { projectId, runId });
  writeFileSync(credentialFile(runsDir, runId), `${token}\n`, { mode: 0o600 });
}

/** The run's job credential, for a task's environment; undefined for runs made before credentials. */
export function readJobCredential(runsDir: string, runId: number): string | undefined {
  try {
    return readFileSync(credentialFile(runsDir, runId), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Ends a run's job credential when its last task ended: the token row and the secret's file go (the
 * server also refuses a job credential whose run has no active task, in case a runner died first).
 */
export function endJobCredential(db: Db, runsDir: string, runId: number): void {
  revokeRunTokens(db, runId);
  rmSync(credentialFile(runsDir, runId), { force: true });
}
