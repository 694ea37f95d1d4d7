import type { Db } from '../../db/open-database.js';

/** What one imported series tells about its study's description. */
export interface StudyDescriptions {
  readonly subject: string;
  readonly study: string;
  readonly studyDescription: string | undefined;
  readonly seriesDescription: string | undefined;
}

const SEPARATOR = ', ';

/**
 * Sets `studies.description` (searched by the `SDESC:` filter) for imported studies: the DICOM
 * StudyDescription when a sidecar has one (recent dcm2niix versions write it); otherwise the study's
 * series descriptions, added to those already there (`CBU_DTI_64D_1A, MPRAGE_S2`), so that series of
 * later imports become searchable too. Studies must be indexed already.
 */
export function describeStudies(db: Db, projectId: number, items: readonly StudyDescriptions[]): void {
  const byStudy = new Map<string, StudyDescriptions[]>();
  for (const item of items) {
    const key = `${item.subject}\0${item.study}`;
    byStudy.set(key, [...(byStudy.get(key) ?? []), item]);
  }
  const find = db.prepare(
    `SELECT st.id, st.description FROM studies st JOIN subjects su ON su.id = st.subject_id
     WHERE su.project_id = ? AND su.pid = ? AND st.sid = ?`,
  );
  const update = db.prepare('UPDATE studies SET description = ? WHERE id = ?');
  db.transaction(() => {
    for (const group of byStudy.values()) {
      const first = group[0];
      if (first === undefined) continue;
      const row = find.get(projectId, first.subject, first.study) as
        { id: number; description: string } | undefined;
      if (row === undefined) continue;
      const description = studyDescription(row.description, group);
      if (description !== row.description) update.run(description, row.id);
    }
  })();
}

/** The new description of one study, given its current one and its imported series. */
export function studyDescription(current: string, series: readonly StudyDescriptions[]): string {
  const fromStudy = series.find((s) => s.studyDescription !== undefined)?.studyDescription;
  if (fromStudy !== undefined) return fromStudy;
  const parts = current.split(SEPARATOR).filter((p) => p !== '');
  for (const s of series) {
    if (s.seriesDescription !== undefined && !parts.includes(s.seriesDescription))
      parts.push(s.seriesDescription);
  }
  return parts.join(SEPARATOR);
}
