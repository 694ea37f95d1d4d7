/** Paging of the catalog tables: at most `limit` rows from `offset` on. */
export interface PageRequest {
  readonly limit: number;
  readonly offset: number;
  /**
   * Keyset paging (the subjects table): the id of the row just before this page, whose rows then
   * come after it by index instead of walking `offset` rows first (page 1,000 of a biobank walked
   * 99,900 subjects). `offset` still says where the page stands: the answer repeats it, and a short
   * page's total is offset + rows. Example: `{ offset: 200, limit: 100, after: 'S00200' }`.
   */
  readonly after?: string;
  /**
   * Count every matching row (default true). False answers the page alone (`total: null`): over a
   * biobank the count of a file pattern costs ten pages, and the web table asks for it separately.
   */
  readonly count?: boolean;
}

/** A page of a table, with the total count of matching rows (null when the request asked for none). */
export interface Page<T> {
  readonly total: number | null;
  readonly offset: number;
  readonly limit: number;
  readonly items: readonly T[];
}

/** Job-state indicators of a row: how many of its tasks (latest run) are in each filter letter's states. */
export interface JobIndicators {
  /** Queued (pending, queued, held). */
  readonly q: number;
  readonly r: number;
  readonly s: number;
  /** Erroneous (error, killed): what `JOB:e` selects. */
  readonly e: number;
}

/** A row of the subjects table. */
export interface SubjectRow {
  readonly subjectId: number;
  readonly pid: string;
  /** The subject's studies matching the filter, oldest first. */
  readonly studies: readonly { readonly studyId: number; readonly sid: string }[];
  readonly tags: readonly string[];
  readonly jobs: JobIndicators;
}

/** A row of the studies table. */
export interface StudyRow {
  readonly studyId: number;
  readonly subjectId: number;
  readonly pid: string;
  readonly sid: string;
  /** `PID#SID`. */
  readonly ref: string;
  readonly description: string;
  /** Present files in the study. */
  readonly files: number;
  readonly tags: readonly string[];
  readonly jobs: JobIndicators;
}

/** A row of the files table. */
export interface FileRow {
  readonly fileId: number;
  readonly studyId: number;
  /** `PID#SID` of its study. */
  readonly ref: string;
  /** Relative to the study folder, e.g. `t1_mprage/s001.nii`. */
  readonly path: string;
  /** Relative to the project root. */
  readonly rootPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly tags: readonly string[];
  /** BIDS entities (`sub`, `ses`, `task`, `suffix`, `pipeline`...), when the name has them. */
  readonly entities?: Readonly<Record<string, string>>;
}
