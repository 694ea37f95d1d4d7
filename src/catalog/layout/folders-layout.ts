import type { Layout, StudyLocation } from './layout.js';

/**
 * The default layout `<subject>/<study>/<series>/<file>`: every top-level folder is a subject and every
 * folder inside it a study. Hidden folders (a leading dot) are skipped, as is the analysis folder.
 */
export function foldersLayout(analysisFolder: string): Layout {
  return {
    kind: 'folders',
    subjectOf: (name) => (name.startsWith('.') || name === analysisFolder ? null : name),
    studiesOf: (names) =>
      names.filter((n) => !n.startsWith('.')).map((n): StudyLocation => ({ sid: n, folder: n })),
    entitiesOf: () => null,
  };
}
