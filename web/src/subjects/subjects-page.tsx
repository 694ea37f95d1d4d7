import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describeError, projectPath, query } from '../api/api-client.js';
import type { CountResponse, FileRow, Page, StudyRow, SubjectRow, TagsResponse } from '../api/api-types.js';
import { useApp, type TableLevel } from '../app/app-context.js';
import { EMPTY_SELECTION, type SelectedItem } from '../app/selection.js';
import { usePagedRows } from '../shared/use-paged-rows.js';
import { useTaskEvents } from '../shared/use-task-events.js';
import { VirtualRows } from '../shared/virtual-rows.js';
import {
  COLUMNS,
  FileCells,
  HEADERS,
  StudyCells,
  studyItem,
  SubjectCells,
  subjectItem,
  type TagEdit,
} from './catalog-rows.js';
import { FilterBar } from './filter-bar.js';
import { clickKind, clickSelection } from './row-selection.js';

/** Pixels per row; .vrow in shared/tables.css has the same height. */
export const ROW_HEIGHT = 32;
// Job indicators follow task changes, but a burst of changes reloads the table at most this often.
const INDICATOR_REFRESH_MS = 2000;

type AnyRow = SubjectRow | StudyRow | FileRow;
const LEVEL_TAG = { subjects: 'subject', studies: 'study', files: 'file' } as const;

/**
 * The catalog table: subjects, studies or files of the project, filtered on the server with the
 * filter-bar language, virtualised, with editable tags, job indicators and row selection.
 */
export function SubjectsPage() {
  const { project, tableLevel, setTableLevel, filter, setFilter, selection, setSelection } = useApp();
  const [pattern, setPattern] = useState('');
  const [tagError, setTagError] = useState<string | null>(null);
  const anchor = useRef<number | null>(null);
  const key = JSON.stringify([project.name, tableLevel, filter, tableLevel === 'files' ? pattern : '']);
  const load = useCallback(
    (offset: number, limit: number, signal: AbortSignal, previous: AnyRow | undefined) =>
      api<Page<AnyRow>>(
        'GET',
        projectPath(
          project.name,
          tableLevel +
            query({
              filter,
              offset,
              limit,
              // Subjects page by key: the server starts after the previous page's last subject.
              after:
                tableLevel === 'subjects' && previous !== undefined
                  ? (previous as SubjectRow).pid
                  : undefined,
              pattern: tableLevel === 'files' && pattern !== '' ? pattern : undefined,
              // Subjects and studies count apart (loadTotal): the rows of a keystroke never wait for it.
              count: tableLevel === 'files' ? undefined : false,
            }),
        ),
        { signal },
      ),
    [project.name, tableLevel, filter, pattern],
  );
  const loadTotal = useCallback(
    (signal: AbortSignal) =>
      api<CountResponse>('GET', projectPath(project.name, `${tableLevel}/count` + query({ filter })), {
        signal,
      }).then((answer) => answer.total),
    [project.name, tableLevel, filter],
  );
  const rows = usePagedRows<AnyRow>(key, load, tableLevel === 'files' ? undefined : loadTotal);

  const { reload } = rows;
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const pendingRefresh = useRef<number | null>(null);
  // One reload a while after the first change of a burst, so the last change of a run is seen too.
  useTaskEvents(project.name, () => {
    if (tableLevel === 'files' || pendingRefresh.current !== null) return;
    pendingRefresh.current = window.setTimeout(() => {
      pendingRefresh.current = null;
      reloadRef.current();
    }, INDICATOR_REFRESH_MS);
  });
  useEffect(
    () => () => {
      if (pendingRefresh.current !== null) clearTimeout(pendingRefresh.current);
    },
    [],
  );

  const canTag = project.role !== 'read';
  const editTag = (row: AnyRow): TagEdit =>
    canTag
      ? (action, tag) => {
          const id = 'fileId' in row ? row.fileId : 'ref' in row ? row.studyId : row.subjectId;
          setTagError(null);
          api<TagsResponse>('POST', projectPath(project.name, 'tags'), {
            body: { action, level: LEVEL_TAG[tableLevel], ids: [id], tags: [tag] },
          }).then(reload, (e: unknown) => setTagError(describeError(e)));
        }
      : undefined;

  const selectable = tableLevel !== 'files';
  const itemAt = (index: number): SelectedItem | undefined => {
    const row = rows.row(index);
    if (row === undefined || 'fileId' in row) return undefined;
    return 'ref' in row ? studyItem(row) : subjectItem(row);
  };
  const level = tableLevel === 'studies' ? 'study' : 'subject';

  function renderRow(index: number) {
    const row = rows.row(index);
    if (row === undefined) return <span className="cell placeholder">…</span>;
    const item = itemAt(index);
    const selected = item !== undefined && selection.level === level && selection.items.has(item.key);
    return (
      <div
        className={`trow${selected ? ' selected' : ''}`}
        style={{ gridTemplateColumns: COLUMNS[tableLevel] }}
        aria-selected={selectable ? selected : undefined}
        onClick={(e) => {
          if (!selectable) return;
          const kind = clickKind(e);
          setSelection(clickSelection(selection, level, kind, index, anchor.current, itemAt));
          if (kind !== 'range') anchor.current = index;
        }}
      >
        {'fileId' in row ? (
          <FileCells row={row} onTag={editTag(row)} />
        ) : 'ref' in row ? (
          <StudyCells row={row} onTag={editTag(row)} />
        ) : (
          <SubjectCells row={row} onTag={editTag(row)} />
        )}
      </div>
    );
  }

  return (
    <div className="subjects-page">
      <div className="toolbar">
        <div className="tabs" role="tablist">
          {(['subjects', 'studies', 'files'] as const satisfies readonly TableLevel[]).map((l) => (
            <button
              key={l}
              type="button"
              role="tab"
              aria-selected={l === tableLevel}
              className={l === tableLevel ? 'active' : undefined}
              onClick={() => setTableLevel(l)}
            >
              {l[0]?.toUpperCase() + l.slice(1)}
            </button>
          ))}
        </div>
        {tableLevel === 'files' && (
          <input
            aria-label="File pattern"
            placeholder="File pattern, e.g. t1*/*.nii"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
          />
        )}
        <span className="selection-info">
          {selection.items.size > 0 ? (
            <>
              {selection.items.size} {selection.level === 'subject' ? 'subject(s)' : 'stud(y/ies)'} selected{' '}
              <button type="button" onClick={() => setSelection(EMPTY_SELECTION)}>
                Clear selection
              </button>
            </>
          ) : (
            'Click a row to select it; Shift-click selects a range, Ctrl-click adds one.'
          )}
        </span>
        {/* The filtered studies' tags, files and recorded measures (cohort export), as a download. */}
        <a
          className="button export"
          href={projectPath(project.name, `export?filter=${encodeURIComponent(filter)}`)}
          download
        >
          Export TSV
        </a>
        <a
          className="button export"
          href={projectPath(project.name, `export?filter=${encodeURIComponent(filter)}&format=json`)}
          download
        >
          JSON
        </a>
      </div>
      <FilterBar
        value={filter}
        onChange={setFilter}
        error={rows.error}
        total={rows.total}
        noun={tableLevel}
      />
      {tagError !== null && (
        <p className="error" role="alert">
          {tagError}
        </p>
      )}
      <div className="table" role="table" aria-label={`${tableLevel} table`}>
        <div className="thead trow" role="row" style={{ gridTemplateColumns: COLUMNS[tableLevel] }}>
          {HEADERS[tableLevel].map((h) => (
            <span key={h} className="cell" role="columnheader">
              {h}
            </span>
          ))}
        </div>
        <VirtualRows
          count={rows.known}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          onRange={rows.ensure}
          label={`${tableLevel} rows`}
        />
      </div>
    </div>
  );
}
