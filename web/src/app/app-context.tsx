import { createContext, useContext } from 'react';
import type { MeResponse, ProjectInfo } from '../api/api-types.js';
import type { Selection } from './selection.js';
import type { Route } from './use-hash-route.js';

/** The catalog table shown: subjects, studies or files. */
export type TableLevel = 'subjects' | 'studies' | 'files';

/**
 * What the pages share: who is logged in, the chosen project, the table's filter and selection (the
 * composer runs on them), and navigation (the grid's subject link selects it in the table).
 */
export interface AppContextValue {
  readonly me: MeResponse;
  readonly project: ProjectInfo;
  readonly setProject: (name: string) => void;
  readonly tableLevel: TableLevel;
  readonly setTableLevel: (level: TableLevel) => void;
  readonly filter: string;
  readonly setFilter: (filter: string) => void;
  readonly selection: Selection;
  readonly setSelection: (selection: Selection) => void;
  /** Shows the subject in the subjects table, selected. */
  readonly focusSubject: (pid: string) => void;
  /** Shows the study (`P001#20200101`) in the studies table, selected. */
  readonly focusStudy: (ref: string) => void;
  readonly navigate: (route: Route) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

/** The shared state; only inside the logged-in app. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === null) throw new Error('useApp outside <AppContext.Provider>');
  return value;
}
