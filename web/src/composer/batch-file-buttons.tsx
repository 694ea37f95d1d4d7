import { useRef } from 'react';
import type { BatchDefinition } from '../api/api-types.js';

/**
 * Export the batch as a JSON file (what `cohort run FILE.json` takes) and import one. An imported file
 * is taken as it is: the preview and the run validate it on the server, which words every problem.
 */
export function BatchFileButtons({
  batch,
  onImport,
  onError,
}: {
  readonly batch: BatchDefinition;
  readonly onImport: (batch: BatchDefinition) => void;
  readonly onError: (message: string) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  function download(): void {
    const url = URL.createObjectURL(
      new Blob([`${JSON.stringify(batch, null, 2)}\n`], { type: 'application/json' }),
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = `${batch.name.replace(/[^\w.-]+/g, '_') || 'batch'}.json`;
    link.click();
    URL.revokeObjectURL(url);
  }
  async function read(file: File): Promise<void> {
    try {
      const value = JSON.parse(await file.text()) as unknown;
      if (typeof value !== 'object' || value === null || !Array.isArray((value as { jobs?: unknown }).jobs)) {
        onError(`${file.name} is not a batch: it needs "name", "level" and a "jobs" list.`);
        return;
      }
      onImport(value as BatchDefinition);
    } catch (e) {
      onError(`${file.name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return (
    <span className="batch-file">
      <button type="button" onClick={download}>
        Export JSON
      </button>
      <button type="button" onClick={() => input.current?.click()}>
        Import JSON
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        aria-label="Import batch file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file !== undefined) void read(file);
          e.target.value = '';
        }}
      />
    </span>
  );
}
