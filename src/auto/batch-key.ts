import type { BatchKey } from '../batches/batch-store.js';

/** A saved batch's key from `NAME` or `FOLDER/NAME` (the last slash separates them). */
export function batchKey(text: string): BatchKey {
  const slash = text.lastIndexOf('/');
  return slash < 0 ? { name: text } : { folder: text.slice(0, slash), name: text.slice(slash + 1) };
}
