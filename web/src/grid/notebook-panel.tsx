import { useEffect, useState } from 'react';
import { api, describeError, projectPath } from '../api/api-client.js';
import type { GridTask, NotebookResponse, NotebookSave } from '../api/api-types.js';

/** How often the panel asks whether the server answers yet (and, after, whether it still runs). */
const POLL_MS = 1000;

/**
 * The side panel of a notebook server task: its URL with the token as text to copy once the server
 * answers (and why it ended, when it did), and saving the edited job cell back into the batch: the
 * diff against the batch's script first, then a new saved version on confirmation.
 */
export function NotebookPanel({ project, task }: { readonly project: string; readonly task: GridTask }) {
  const [status, setStatus] = useState<NotebookResponse | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [batch, setBatch] = useState('');
  const [save, setSave] = useState<NotebookSave | null>(null);
  const path = projectPath(project, `tasks/${task.id}/notebook`);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const look = (): void => {
      api<NotebookResponse>('GET', path).then(
        (answer) => {
          if (stopped) return;
          setStatus(answer);
          // Asked again while it starts, and while it runs (it may end by itself).
          if (answer.state === 'running' || answer.state === 'queued' || answer.state === 'pending')
            timer = window.setTimeout(look, POLL_MS);
        },
        (e: unknown) => !stopped && setMessage(describeError(e)),
      );
    };
    look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path]);

  async function compare(apply: boolean): Promise<void> {
    setMessage(null);
    try {
      const answer = await api<NotebookSave>('POST', `${path}/save`, {
        body: { apply, ...(batch.trim() === '' ? {} : { batch: batch.trim() }) },
      });
      setSave(answer);
      if (apply && answer.previous !== undefined) {
        const name = `${answer.batch.folder === '' ? '' : `${answer.batch.folder}/`}${answer.batch.name}`;
        setMessage(
          `Saved '${name}' with the notebook's job ${answer.jobIndex + 1}; the version before is '${answer.previous}'.`,
        );
        setSave(null);
      }
    } catch (e) {
      setMessage(describeError(e));
    }
  }
  async function copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      setMessage('Copied the URL.');
    } catch {
      setMessage('Select the URL and copy it (the browser refused the clipboard).');
    }
  }

  const url = status?.url ?? null;
  return (
    <div className="notebook-panel">
      <h2>
        Notebook of task {task.id}: {task.jobName.replace(/^Jupyter: /, '')} · {task.item}
      </h2>
      {status === null ? (
        <p>Asking the server…</p>
      ) : url !== null ? (
        <div className="notebook-url">
          <label>
            URL with its token (it runs code as you: keep it to yourself)
            <input readOnly value={url} aria-label="Notebook URL" onFocus={(e) => e.target.select()} />
          </label>
          <button type="button" onClick={() => void copy(url)}>
            Copy
          </button>
          <a href={url} target="_blank" rel="noopener noreferrer">
            Open
          </a>
        </div>
      ) : status.state === 'running' || status.state === 'queued' || status.state === 'pending' ? (
        <p role="status">The notebook server starts… (the URL shows once it answers)</p>
      ) : (
        <p role="status" className="notebook-ended">
          The notebook server {status.state}
          {status.ended !== null ? `: ${status.ended}` : status.error !== null ? `: ${status.error}` : ''}.
        </p>
      )}
      <h3>Save the job cell back into the batch</h3>
      <div className="notebook-save">
        <label>
          Saved batch (FOLDER/NAME; empty: the run's)
          <input value={batch} onChange={(e) => setBatch(e.target.value)} />
        </label>
        <button type="button" onClick={() => void compare(false)}>
          Show changes
        </button>
      </div>
      {message !== null && (
        <p className="message" role="status">
          {message}
        </p>
      )}
      {save !== null &&
        (save.diff === '' ? (
          <p role="status">
            The notebook&apos;s job cell is the same as job {save.jobIndex + 1} ({save.jobName}) of &apos;
            {save.batch.name}&apos;: nothing to save.
          </p>
        ) : (
          <>
            <pre className="json notebook-diff" aria-label="Changes to the job's script">
              {save.diff.split('\n').map((line, i) => (
                <span
                  key={i}
                  className={line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : ''}
                >
                  {line}
                  {'\n'}
                </span>
              ))}
            </pre>
            <div className="notebook-save">
              <button type="button" onClick={() => void compare(true)}>
                Save as a new version of &apos;{save.batch.name}&apos;
              </button>
              <button type="button" onClick={() => setSave(null)}>
                Cancel
              </button>
            </div>
          </>
        ))}
    </div>
  );
}
