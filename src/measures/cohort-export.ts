import type { Project } from '../catalog/project-store.js';
import { tagsOf } from '../catalog/tags.js';
import type { Db } from '../db/open-database.js';
import { parseFilter } from '../selection/parse-filter.js';
import { parseSelector } from '../selection/parse-selector.js';
import { runFilter } from '../selection/run-filter.js';
import { selectFiles } from '../selection/run-selector.js';
import type { SelectedStudy } from '../selection/selection.js';
import type { Selector } from '../selection/selector.js';
import { fileEntities, filesOfStudies, studyDescriptions } from './export-queries.js';
import { measuresOfStudies, type MeasureRow } from './measure-store.js';

/** One exported file: its metadata, tags and entities. */
export interface ExportedFile {
  readonly path: string;
  readonly size: number;
  /** ISO 8601. */
  readonly mtime: string;
  readonly tags: readonly string[];
  readonly entities: Readonly<Record<string, string>>;
}

export interface ExportedStudy {
  readonly study: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly measures: Readonly<Record<string, number>>;
  readonly files: readonly ExportedFile[];
}

export interface ExportedSubject {
  readonly subject: string;
  readonly tags: readonly string[];
  readonly measures: Readonly<Record<string, number>>;
  readonly studies: readonly ExportedStudy[];
}

/** `cohort export --format json`: subjects, their studies and files, in selection order. */
export interface CohortExport {
  readonly project: string;
  readonly subjects: readonly ExportedSubject[];
}

/** One row of the long table: `study` is empty for a subject's own tags and measures. */
export interface ExportRow {
  readonly subject: string;
  readonly study: string;
  readonly key: string;
  readonly value: string;
}

/** What to export: a selector (its file terms pick the files) or a filter-bar text (all files). */
export type ExportSource = Selector | string | { readonly filter: string };

/**
 * Everything known about the selected studies: subject and study tags, study descriptions, the
 * selected files (all present ones when the selector has no file terms) with size, time, tags and
 * entities, and the measures jobs recorded. A fixed number of statements whatever the selection.
 *
 * Example: `exportCohort(db, project, 'stag:control')`, `exportCohort(db, project, { filter: 'P00 & STAG:x' })`.
 */
export function exportCohort(db: Db, project: Project, source: ExportSource): CohortExport {
  return db.transaction((): CohortExport => {
    const studies = selectedStudies(db, project, source);
    const studyIds = studies.map((s) => s.studyId);
    const fileIds = studies.flatMap((s) => s.files.map((f) => f.fileId));
    const subjectTags = tagsOf(db, 'subject', [...new Set(studies.map((s) => s.subjectId))]);
    const studyTags = tagsOf(db, 'study', studyIds);
    const fileTags = tagsOf(db, 'file', fileIds);
    const entities = fileEntities(db, fileIds);
    const descriptions = studyDescriptions(db, studyIds);
    const measures = measuresByItem(measuresOfStudies(db, project, studies));
    const subjects = new Map<number, { subject: string; studies: ExportedStudy[] }>();
    for (const s of studies) {
      let subject = subjects.get(s.subjectId);
      if (subject === undefined) {
        subject = { subject: s.pid, studies: [] };
        subjects.set(s.subjectId, subject);
      }
      subject.studies.push({
        study: s.sid,
        description: descriptions.get(s.studyId) ?? null,
        tags: studyTags.get(s.studyId) ?? [],
        measures: measures.get(`${s.pid}#${s.sid}`) ?? {},
        files: s.files.map((f) => ({
          path: f.path,
          size: f.size,
          mtime: new Date(f.mtimeMs).toISOString(),
          tags: fileTags.get(f.fileId) ?? [],
          entities: entities.get(f.fileId) ?? {},
        })),
      });
    }
    return {
      project: project.name,
      subjects: [...subjects].map(([id, s]) => ({
        subject: s.subject,
        tags: subjectTags.get(id) ?? [],
        measures: measures.get(s.subject) ?? {},
        studies: s.studies,
      })),
    };
  })();
}

/**
 * The export as a long table, one value per row: `tag` (one row per tag), `description`, each
 * measure under its own key, and per file `file:<path>:size|mtime|tag|<entity>`.
 */
export function exportRows(data: CohortExport): ExportRow[] {
  const rows: ExportRow[] = [];
  for (const subject of data.subjects) {
    const add = (study: string, key: string, value: string | number): void => {
      rows.push({ subject: subject.subject, study, key, value: String(value) });
    };
    for (const tag of subject.tags) add('', 'tag', tag);
    for (const [key, value] of Object.entries(subject.measures)) add('', key, value);
    for (const study of subject.studies) {
      if (study.description !== null) add(study.study, 'description', study.description);
      for (const tag of study.tags) add(study.study, 'tag', tag);
      for (const [key, value] of Object.entries(study.measures)) add(study.study, key, value);
      for (const file of study.files) {
        const at = `file:${file.path}`;
        add(study.study, `${at}:size`, file.size);
        add(study.study, `${at}:mtime`, file.mtime);
        for (const tag of file.tags) add(study.study, `${at}:tag`, tag);
        for (const [key, value] of Object.entries(file.entities)) add(study.study, `${at}:${key}`, value);
      }
    }
  }
  return rows;
}

/** The long table as TSV with a header; tabs, newlines and backslashes in cells escaped as `\t` `\n` `\\`. */
export function exportTsv(rows: readonly ExportRow[]): string {
  const cell = (text: string): string =>
    // Most cells need no escaping: test once instead of running four replacements on each.
    !/[\\\t\n\r]/.test(text)
      ? text
      : text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  const lines = ['subject\tstudy\tkey\tvalue'];
  for (const r of rows) lines.push(`${cell(r.subject)}\t${cell(r.study)}\t${cell(r.key)}\t${cell(r.value)}`);
  return `${lines.join('\n')}\n`;
}

function selectedStudies(db: Db, project: Project, source: ExportSource): readonly SelectedStudy[] {
  if (typeof source === 'object' && 'filter' in source) {
    const studies = runFilter(db, project, parseFilter(source.filter));
    const files = filesOfStudies(
      db,
      studies.map((s) => s.studyId),
    );
    return studies.map((s) => ({
      ...s,
      files: (files.get(s.studyId) ?? []).map((f) => ({ ...f, absolutePath: `${s.folder}/${f.path}` })),
    }));
  }
  return selectFiles(db, project, typeof source === 'string' ? parseSelector(source) : source).studies;
}

function measuresByItem(rows: readonly MeasureRow[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const item = r.study === null ? r.subject : `${r.subject}#${r.study}`;
    let values = out.get(item);
    if (values === undefined) {
      values = {};
      out.set(item, values);
    }
    values[r.key] = r.value;
  }
  return out;
}
