import { api, projectPath } from '../api/api-client.js';
import type { DebugResponse, NotebookResponse } from '../api/api-types.js';

/** How long the page waits for a notebook server to answer, and how often it asks. */
const NOTEBOOK_WAIT_MS = 180_000;
const NOTEBOOK_POLL_MS = 500;

/** What to debug: a task of the grid, or a batch's job (0-based) for one item (the composer). */
export type DebugTarget =
  { readonly task: number } | { readonly batch: unknown; readonly job: number; readonly item: string };

/**
 * "Debug in Jupyter": starts the notebook server task and opens its notebook in a new tab once it
 * answers. The tab is opened at the click (a tab opened later, after awaits, is a popup browsers
 * block) and sent to the notebook when its URL is known; it is closed again if the server fails.
 * Resolves to the server's task id; rejects with the API's error or the task's.
 */
export async function debugInJupyter(project: string, target: DebugTarget): Promise<number> {
  const tab = window.open('about:blank', '_blank');
  try {
    const started = await api<DebugResponse>('POST', projectPath(project, 'debug'), { body: target });
    const url = await notebookUrlOf(project, started.taskId);
    if (tab !== null) tab.location.href = url;
    else window.open(url, '_blank');
    return started.taskId;
  } catch (e) {
    tab?.close();
    throw e;
  }
}

/** The URL of a running notebook task, waiting until its server answers. */
export async function notebookUrlOf(project: string, taskId: number): Promise<string> {
  const deadline = Date.now() + NOTEBOOK_WAIT_MS;
  for (;;) {
    const answer = await api<NotebookResponse>('GET', projectPath(project, `tasks/${taskId}/notebook`));
    if (answer.url !== null) return answer.url;
    if (['done', 'error', 'killed', 'skipped'].includes(answer.state))
      throw new Error(
        `The notebook server (task ${taskId}) ${answer.state}: ${answer.error ?? 'no reason given'}`,
      );
    if (Date.now() > deadline)
      throw new Error(`The notebook server (task ${taskId}) did not answer in time.`);
    await new Promise((resolve) => setTimeout(resolve, NOTEBOOK_POLL_MS));
  }
}
