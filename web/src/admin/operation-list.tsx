import type { Operation } from '../api/api-types.js';

const KIND_TITLES: Record<Operation['kind'], string> = {
  create: 'Create',
  rescan: 'Rescan',
  'import-dicom': 'Import DICOM',
};

/** `1,204 files seen (40 added, 2 changed) · 3 subjects, 9 studies added · 2100 files/s · 6.0 s`. */
export function progressText(op: Operation): string {
  const p = op.progress;
  const seconds = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  if (p.phase === 'converting')
    return (
      `converting: ${p.dicomConverted} of ${p.dicomFound > 0 ? p.dicomFound : '?'} DICOM files · ` +
      `${p.filesPerSecond} files/s · ${seconds}`
    );
  if (p.phase === 'placing') return `placing series: ${p.seriesPlaced} of ${p.seriesTotal} · ${seconds}`;
  return (
    `${p.filesSeen.toLocaleString('en')} files seen (${p.filesAdded} added, ${p.filesChanged} changed, ` +
    `${p.filesRemoved} missing) · ${p.subjectsAdded} subjects, ${p.studiesAdded} studies added · ` +
    `${p.filesPerSecond} files/s · ${seconds}`
  );
}

/** The fraction done where it is known (DICOM files converted, series placed); undefined while indexing. */
function fraction(op: Operation): number | undefined {
  const p = op.progress;
  if (op.state !== 'running') return 1;
  if (p.phase === 'converting' && p.dicomFound > 0) return Math.min(1, p.dicomConverted / p.dicomFound);
  if (p.phase === 'placing' && p.seriesTotal > 0) return p.seriesPlaced / p.seriesTotal;
  return undefined;
}

const TONES: Record<Operation['state'], string> = {
  running: 'running',
  done: 'done',
  error: 'error',
  cancelled: 'paused',
};

/**
 * The project operations of this session's user, newest first: a bar and a line of counts while one
 * runs (the bar fills where the total is known, pulses while indexing a tree of unknown size), its
 * summary when done, its error and fix when failed.
 */
export function OperationList({
  operations,
  onCancel,
}: {
  readonly operations: readonly Operation[];
  readonly onCancel: (op: Operation) => void;
}) {
  if (operations.length === 0) return null;
  return (
    <section className="operations" aria-label="Operations">
      <h2>Operations</h2>
      {operations.map((op) => {
        const part = fraction(op);
        return (
          <div key={op.id} className={`operation tone-${TONES[op.state]}`} data-operation-id={op.id}>
            <div className="operation-head">
              <strong>
                {KIND_TITLES[op.kind]} {op.project}
              </strong>
              <span className="operation-state">{op.state}</span>
              <span
                className={`run-progress-bar${part === undefined ? ' indeterminate' : ''}`}
                role="progressbar"
                aria-label={`Operation ${op.id}`}
                aria-valuemin={0}
                aria-valuemax={100}
                {...(part === undefined ? {} : { 'aria-valuenow': Math.round(part * 100) })}
              >
                <span
                  className={`run-progress-part part-${TONES[op.state]}`}
                  style={{ width: part === undefined ? '30%' : `${part * 100}%` }}
                />
              </span>
              {op.state === 'running' && (
                <button type="button" onClick={() => onCancel(op)}>
                  Cancel
                </button>
              )}
            </div>
            <div className="operation-progress">{progressText(op)}</div>
            {op.summary !== null && <div className="operation-summary">{op.summary}</div>}
            {op.error !== null && (
              <div className="operation-error" role="alert">
                {op.error.message}
                {op.error.fix === undefined ? '' : ` ${op.error.fix}`}
              </div>
            )}
            {op.warnings.length > 0 && (
              <details>
                <summary>{op.warnings.length} warning(s)</summary>
                <ul>
                  {op.warnings.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        );
      })}
    </section>
  );
}
