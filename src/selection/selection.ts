/** A selected study: who and where. Shared by selectors and the filter bar. */
export interface StudyRef {
  readonly studyId: number;
  readonly subjectId: number;
  /** Subject id, e.g. `P001`. */
  readonly pid: string;
  /** Study id, e.g. `20200101`. */
  readonly sid: string;
  /** `PID#SID`, the way users address a study. */
  readonly ref: string;
  /** Absolute path of the study folder. */
  readonly folder: string;
}

/** A file picked by a selector. */
export interface SelectedFile {
  readonly fileId: number;
  /** Path relative to the study folder, `/`-separated, e.g. `t1_mprage/s001.nii`. */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A study with the files a selector picked in it (empty when the selector picks studies only). */
export interface SelectedStudy extends StudyRef {
  readonly files: readonly SelectedFile[];
}

/** The result of a selector: studies ordered by subject id then chronologically (sort key). */
export interface Selection {
  readonly studies: readonly SelectedStudy[];
}

/** Studies of one subject, as the subject-level batches and the subjects table need them. */
export interface SubjectGroup<S extends StudyRef = StudyRef> {
  readonly subjectId: number;
  readonly pid: string;
  readonly studies: readonly S[];
}

/**
 * Groups studies by subject, keeping the order of first appearance (so subjects sorted by pid stay
 * sorted, and each subject's studies stay chronological).
 */
export function groupBySubject<S extends StudyRef>(studies: readonly S[]): SubjectGroup<S>[] {
  const groups = new Map<number, { subjectId: number; pid: string; studies: S[] }>();
  for (const study of studies) {
    let group = groups.get(study.subjectId);
    if (group === undefined) {
      group = { subjectId: study.subjectId, pid: study.pid, studies: [] };
      groups.set(study.subjectId, group);
    }
    group.studies.push(study);
  }
  return [...groups.values()];
}
