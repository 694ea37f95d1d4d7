import type { FileRow, StudyRow, SubjectRow } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { isViewable, viewerHash } from '../viewer/viewer-url.js';
import type { SelectedItem } from '../app/selection.js';
import { JobIndicators } from '../shared/job-indicators.js';
import { TagChips } from '../shared/tag-chips.js';

/** Called by a row's chips: add or remove one tag on this row's item. */
export type TagEdit = ((action: 'add' | 'remove', tag: string) => void) | undefined;

/** Column layouts (CSS grid templates) shared by each table's header and rows. */
export const COLUMNS = {
  subjects: 'minmax(8em, 1fr) minmax(10em, 2fr) minmax(12em, 3fr) 8em',
  studies: 'minmax(12em, 2fr) minmax(8em, 2fr) 5em minmax(12em, 3fr) 8em',
  files: 'minmax(12em, 2fr) minmax(14em, 4fr) 7em minmax(10em, 3fr)',
} as const;

export const HEADERS = {
  subjects: ['Subject', 'Studies', 'Tags', 'Jobs'],
  studies: ['Study', 'Description', 'Files', 'Tags', 'Jobs'],
  files: ['Study', 'File', 'Size', 'Tags'],
} as const;

export function subjectItem(row: SubjectRow): SelectedItem {
  return { key: row.pid, pid: row.pid };
}
export function studyItem(row: StudyRow): SelectedItem {
  return { key: row.ref, pid: row.pid, sid: row.sid };
}

export function SubjectCells({ row, onTag }: { readonly row: SubjectRow; readonly onTag: TagEdit }) {
  return (
    <>
      <span className="cell id">{row.pid}</span>
      <span className="cell" title={row.studies.map((s) => s.sid).join(' ')}>
        {row.studies.map((s) => s.sid).join(', ')}
      </span>
      <span className="cell">
        <TagChips tags={row.tags} onChange={onTag} />
      </span>
      <span className="cell">
        <JobIndicators jobs={row.jobs} />
      </span>
    </>
  );
}

export function StudyCells({ row, onTag }: { readonly row: StudyRow; readonly onTag: TagEdit }) {
  return (
    <>
      <span className="cell id">{row.ref}</span>
      <span className="cell" title={row.description}>
        {row.description}
      </span>
      <span className="cell num">{row.files}</span>
      <span className="cell">
        <TagChips tags={row.tags} onChange={onTag} />
      </span>
      <span className="cell">
        <JobIndicators jobs={row.jobs} />
      </span>
    </>
  );
}

export function FileCells({ row, onTag }: { readonly row: FileRow; readonly onTag: TagEdit }) {
  const { project } = useApp();
  return (
    <>
      <span className="cell id">{row.ref}</span>
      <span className="cell" title={row.rootPath}>
        {row.path}
        {isViewable(row.path) && (
          <>
            {' '}
            <a
              className="view-link"
              href={viewerHash(project.name, [row.rootPath])}
              title="Open in the viewer"
            >
              view
            </a>
          </>
        )}
      </span>
      <span className="cell num">{formatSize(row.size)}</span>
      <span className="cell">
        <TagChips tags={row.tags} onChange={onTag} />
      </span>
    </>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
