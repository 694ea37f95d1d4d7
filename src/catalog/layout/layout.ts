/** Folder layouts a project can use; `auto` at creation picks one by looking at the tree. */
export const LAYOUT_KINDS = ['folders', 'bids'] as const;
export type LayoutKind = (typeof LAYOUT_KINDS)[number];

/** A study found in a subject folder. `folder` is relative to the subject folder; '' is the folder itself. */
export interface StudyLocation {
  readonly sid: string;
  readonly folder: string;
}

/**
 * Maps a project's folder tree onto subjects and studies. Layouts decide only the top two levels;
 * everything below a study folder belongs to that study, so scanning stays cheap.
 */
export interface Layout {
  readonly kind: LayoutKind;
  /** The subject id of a top-level folder, or null when that folder is not a subject. */
  subjectOf(folderName: string): string | null;
  /** The studies inside a subject folder, given the names of its sub-folders. */
  studiesOf(subfolderNames: readonly string[]): StudyLocation[];
  /** Parsed naming entities of a file (BIDS), or null. `path` is relative to the study folder. */
  entitiesOf(path: string): Record<string, string> | null;
}
