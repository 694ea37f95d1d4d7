import { parseBidsEntities } from './bids-entities.js';
import type { Layout } from './layout.js';

/** The study id given to subjects of a BIDS dataset that has no `ses-*` folders. */
export const BIDS_NO_SESSION = 'nosession';

/**
 * BIDS: `sub-<label>/[ses-<label>/]<datatype>/<file>`. Subjects are `sub-*` folders (id = label);
 * sessions are studies (id = label). A subject without sessions is one study, `<label>#nosession`,
 * whose folder is the subject folder. `derivatives/`, `sourcedata/`, `code/` are not subjects.
 */
export function bidsLayout(): Layout {
  return {
    kind: 'bids',
    subjectOf: (name) => (name.startsWith('sub-') && name.length > 4 ? name.slice(4) : null),
    studiesOf: (names) => {
      const sessions = names.filter((n) => n.startsWith('ses-') && n.length > 4);
      if (sessions.length === 0) return [{ sid: BIDS_NO_SESSION, folder: '' }];
      return sessions.map((n) => ({ sid: n.slice(4), folder: n }));
    },
    entitiesOf: parseBidsEntities,
  };
}
