import type { ArgumentResolution, BatchResolution, PreviewResponse } from '../api/api-types.js';

/** The part of an absolute path after the study's folder (`P001/20200101/t1/s001.nii` → `t1/s001.nii`). */
function shortPath(path: string, location: string): string {
  const [pid, sid] = location.split('#');
  const marker = sid === undefined ? undefined : `/${pid ?? ''}/${sid}/`;
  const at = marker === undefined ? -1 : path.lastIndexOf(marker);
  return at < 0 ? path : path.slice(at + (marker?.length ?? 0));
}

/** Items the server resolves in full per page (the summary counts every item): the rows drawn. */
export const PREVIEW_PAGE = 1000;

function Cell({ arg }: { readonly arg: ArgumentResolution }) {
  if (!arg.ok) {
    return (
      <td className={arg.optional ? 'miss optional' : 'miss'} title={arg.reason}>
        {arg.optional ? '(optional) ' : ''}
        {arg.reason}
      </td>
    );
  }
  switch (arg.type) {
    case 'FILE':
      if (arg.deferred === true) return <td className="deferred">written by {arg.producedBy}</td>;
      return (
        <td title={arg.paths.join('\n')}>
          {arg.paths.map((p) => shortPath(p, arg.location)).join(', ')}
          {arg.matched > arg.paths.length && <span className="warn"> ({arg.matched} matched)</span>}
          {arg.producedBy !== undefined && <span className="hint"> ← {arg.producedBy}</span>}
        </td>
      );
    case 'OUT':
    case 'PATHOUT':
      return <td title={arg.path}>→ {shortPath(arg.path, arg.location)}</td>;
    default:
      return <td>{String(arg.value)}</td>;
  }
}

/** A group-level job's argument in words: the list of every item's files, its output, its value. */
function groupValue(arg: ArgumentResolution): string {
  if (!arg.ok) return arg.reason;
  switch (arg.type) {
    case 'FILE':
      return `${arg.paths.length} files: ${arg.paths.join(', ')}`;
    case 'OUT':
    case 'PATHOUT':
      return arg.path;
    default:
      return String(arg.value);
  }
}

/**
 * The resolution preview: one row per item, one column per job argument, each cell the file it
 * resolves to, or (red) why it is missing. Runnable items first as the server orders them.
 */
export function PreviewTable({
  preview,
  onDebug,
  onAdopt,
  onPage,
}: {
  readonly preview: BatchResolution & Partial<Pick<PreviewResponse, 'interpreters' | 'proposals' | 'page'>>;
  /** "Debug in Jupyter" for a runnable item's job (0-based), when given. */
  readonly onDebug?: (item: string, job: number) => void;
  /** Adopts a proposed generalised pattern into the batch (one click). */
  readonly onAdopt?: (proposal: NonNullable<PreviewResponse['proposals']>[number]) => void;
  /** Asks for the page of items starting at `offset` (0-based). */
  readonly onPage?: (offset: number) => void;
}) {
  const offset = preview.page?.offset ?? 0;
  const total = preview.summary.total;
  const columns = (preview.items[0]?.jobs ?? []).flatMap((job) =>
    job.args.map((arg) => ({ job: job.name, jobIndex: job.index, arg: arg.name })),
  );
  return (
    <div className="preview">
      <p className="summary" aria-live="polite">
        {preview.summary.total} items: {preview.summary.ready} ready, {preview.summary.notRunnable} cannot run
      </p>
      {(preview.interpreters ?? []).map((p) => (
        <p key={p.job} className="hint">
          Python job {p.job} runs with {p.python} (queue {p.queue})
        </p>
      ))}
      {preview.collisions.map((c) => (
        <p key={c.path} className="error" role="alert">
          {c.path} is written by {c.writers.join(', ')}: run refuses this. Give each item its own output, or
          make the job group-level.
        </p>
      ))}
      {preview.group?.jobs.map((job) => (
        <div key={job.index} className="group-job">
          <p className="summary">
            Group-level job {job.name}: once over {preview.group?.items.length ?? 0} items
          </p>
          <ul>
            {job.args.map((arg) => (
              <li key={arg.name}>
                {arg.name}: {groupValue(arg)}
              </li>
            ))}
          </ul>
        </div>
      ))}
      {(preview.proposals ?? []).map((p) => (
        <p key={`${p.jobIndex}/${p.argument}`} className="hint">
          {p.job} · {p.argument}: <code>{p.pattern}</code> instead of <code>{p.from.join(' ')}</code> finds it
          in {p.missingNow - p.missingAfter} more item(s){p.missingAfter === 0 ? ' (all)' : ''}.{' '}
          {onAdopt !== undefined && (
            <button type="button" onClick={() => onAdopt(p)}>
              Adopt
            </button>
          )}
        </p>
      ))}
      <div className="preview-scroll">
        <table aria-label="Resolution preview">
          <thead>
            <tr>
              <th>Item</th>
              {columns.map((c) => (
                <th key={`${c.jobIndex}/${c.arg}`}>
                  {c.job} · {c.arg}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.items.map((item) => (
              <tr key={item.item} className={item.runnable ? 'ready' : 'not-runnable'}>
                <th scope="row" title={item.problems.concat(item.warnings).join('\n')}>
                  {item.item}
                  {onDebug !== undefined &&
                    item.runnable &&
                    item.jobs.map((job) => (
                      <button
                        key={job.index}
                        type="button"
                        className="link debug"
                        title={`Debug job ${job.index + 1} (${job.name}) for ${item.item} in Jupyter`}
                        onClick={() => onDebug(item.item, job.index)}
                      >
                        Jupyter {job.index + 1}
                      </button>
                    ))}
                </th>
                {item.jobs.flatMap((job) =>
                  job.args.map((arg) => <Cell key={`${job.index}/${arg.name}`} arg={arg} />),
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {preview.items.length < total && (
          <p className="hint" role="status">
            Items {Math.min(offset + 1, total)} to {offset + preview.items.length} of {total}.{' '}
            {onPage !== undefined && offset > 0 && (
              <button type="button" onClick={() => onPage(Math.max(0, offset - PREVIEW_PAGE))}>
                Previous items
              </button>
            )}{' '}
            {onPage !== undefined && offset + preview.items.length < total && (
              <button type="button" onClick={() => onPage(offset + PREVIEW_PAGE)}>
                Next items
              </button>
            )}
          </p>
        )}
      </div>
    </div>
  );
}
