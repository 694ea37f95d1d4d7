import type { Project } from '../catalog/project-store.js';
import type { Db } from '../db/open-database.js';
import { invalidInput } from '../errors/cohort-error.js';
import { validateBatch, type BatchDefinition } from './batch-definition.js';
import { loadBatch, type BatchKey } from './batch-store.js';

/** Marks an exported batch file; `version` changes only when the format changes incompatibly. */
export const BATCH_EXPORT_FORMAT = 'cohort-batch';
export const BATCH_EXPORT_VERSION = 1;

/**
 * A saved batch as pretty JSON text for sharing between projects and sites:
 * `{ "format": "cohort-batch", "version": 1, "batch": { ... } }`.
 *
 * @throws CohortError NOT_FOUND when no batch is saved under that key.
 */
export function exportBatch(db: Db, project: Project, key: BatchKey): string {
  return formatBatchExport(loadBatch(db, project, key));
}

/** The export text of a batch (saved or not), see {@link exportBatch}. */
export function formatBatchExport(batch: BatchDefinition): string {
  const envelope = {
    format: BATCH_EXPORT_FORMAT,
    version: BATCH_EXPORT_VERSION,
    batch: validateBatch(batch),
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/**
 * Reads exported batch text back into a validated batch (save it with `saveBatch`). A bare batch
 * object without the envelope is accepted too, for hand-written files.
 *
 * @throws CohortError INVALID_INPUT for malformed JSON (with line and column when the parser gives a
 *   position), another format, a newer version, or an invalid batch.
 */
export function importBatch(text: string): BatchDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidInput(
      `The batch file is not valid JSON: ${jsonProblem(text, error)}.`,
      'Fix the JSON at that place (a missing comma or quote, a trailing comma), or export the batch again.',
    );
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  if (!('format' in record)) return validateBatch(parsed);
  if (record['format'] !== BATCH_EXPORT_FORMAT) {
    throw invalidInput(
      `The file is not a batch export (format ${JSON.stringify(record['format'])}).`,
      `Import a file exported as a batch; it starts with "format": "${BATCH_EXPORT_FORMAT}".`,
    );
  }
  const version = record['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw invalidInput(`The batch export has no valid version (${JSON.stringify(version)}).`);
  }
  if (version > BATCH_EXPORT_VERSION) {
    throw invalidInput(
      `The batch was exported by a newer version of cohort (format version ${version}).`,
      `Update cohort to import it; this version reads format version ${BATCH_EXPORT_VERSION}.`,
    );
  }
  return validateBatch(record['batch']);
}

// V8 words JSON errors differently across versions and may quote the whole input; keep the problem,
// drop the echoed text, and turn "position N" into the line and column an editor shows.
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const problem = message
    .replace(/, "(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON$/s, '')
    .replace(/ (?:in JSON )?at position \d+.*$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the text ends too early');
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset =
    position !== undefined ? Number(position) : /end of JSON input/.test(message) ? text.length : null;
  if (offset === null) return problem;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${problem} at line ${line}, column ${column}`;
}
