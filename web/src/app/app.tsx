import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, onUnauthenticated } from '../api/api-client.js';
import type { MeResponse } from '../api/api-types.js';
import { LibraryPage } from '../admin/library-page.js';
import { ProjectsPage } from '../admin/projects-page.js';
import { QueuesPage } from '../admin/queues-page.js';
import { AutoPage } from '../admin/auto-page.js';
import { UsersPage } from '../admin/users-page.js';
import { ComposerPage } from '../composer/composer-page.js';
import { GridPage } from '../grid/grid-page.js';
import { QcPage } from '../qc/qc-page.js';
import { SubjectsPage } from '../subjects/subjects-page.js';
import { parseViewerHash } from '../viewer/viewer-url.js';
import { AppContext, type AppContextValue, type TableLevel } from './app-context.js';
import { LoginPage } from './login-page.js';
import { EMPTY_SELECTION, type Selection } from './selection.js';
import { TopBar } from './top-bar.js';
import { useHashRoute, type Route } from './use-hash-route.js';

// The plotting library is large: its page loads on first visit, not with the app.
const PlotsPage = lazy(() => import('../plots/plots-page.js').then((m) => ({ default: m.PlotsPage })));
// So is niivue (most of the app's bytes): the viewer loads when it first opens.
const ViewerPage = lazy(() => import('../viewer/viewer-page.js').then((m) => ({ default: m.ViewerPage })));

type Session =
  | { readonly state: 'checking' }
  | { readonly state: 'out' }
  | { readonly state: 'in'; readonly me: MeResponse };

/** Login gate, then the pages. A page is mounted on its first visit and kept (hidden) after, so the
 * composer's draft, the table's scroll position and the grid's live stream survive switching pages. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  useEffect(() => {
    api<MeResponse>('GET', '/api/auth/me', { quietUnauthenticated: true }).then(
      (me) => setSession({ state: 'in', me }),
      () => setSession({ state: 'out' }),
    );
    return onUnauthenticated(() => setSession({ state: 'out' }));
  }, []);
  switch (session.state) {
    case 'checking':
      return <p className="loading">Loading…</p>;
    case 'out':
      return <LoginPage onLoggedIn={(me) => setSession({ state: 'in', me })} />;
    case 'in':
      return <LoggedIn me={session.me} onLogout={() => setSession({ state: 'out' })} />;
  }
}

function LoggedIn({ me, onLogout }: { readonly me: MeResponse; readonly onLogout: () => void }) {
  const [route, navigate] = useHashRoute();
  // A viewer link names its project; otherwise the first one.
  const [projectName, setProjectName] = useState(() => {
    const linked = parseViewerHash(window.location.hash).project;
    return me.projects.find((p) => p.name === linked)?.name ?? me.projects[0]?.name ?? '';
  });
  const [tableLevel, setTableLevel] = useState<TableLevel>('subjects');
  const [filter, setFilter] = useState('');
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [visited, setVisited] = useState<ReadonlySet<Route>>(() => new Set([route]));
  useEffect(() => setVisited((v) => (v.has(route) ? v : new Set([...v, route]))), [route]);

  const setProject = useCallback((name: string) => {
    setProjectName(name);
    setFilter('');
    setSelection(EMPTY_SELECTION);
  }, []);
  const project = me.projects.find((p) => p.name === projectName);
  const value = useMemo<AppContextValue | null>(
    () =>
      project === undefined
        ? null
        : {
            me,
            project,
            setProject,
            tableLevel,
            setTableLevel,
            filter,
            setFilter,
            selection,
            setSelection,
            focusSubject: (pid) => {
              setTableLevel('subjects');
              setFilter(pid);
              setSelection({ level: 'subject', items: new Map([[pid, { key: pid, pid }]]) });
              navigate('subjects');
            },
            focusStudy: (ref) => {
              const [pid = ref, sid = ''] = ref.split('#');
              setTableLevel('studies');
              setFilter(pid);
              setSelection({ level: 'study', items: new Map([[ref, { key: ref, pid, sid }]]) });
              navigate('subjects');
            },
            navigate,
          },
    [me, project, setProject, tableLevel, filter, selection, navigate],
  );
  if (value === null) {
    return (
      <main className="empty">
        <p>You may read no project yet. Ask an administrator for a role in one.</p>
      </main>
    );
  }
  return (
    <AppContext.Provider value={value}>
      <TopBar route={route} onLogout={onLogout} />
      {/* Keyed by project: switching projects starts every page afresh. */}
      <div className="pages" key={value.project.name}>
        {visited.has('subjects') && (
          <section className="page" hidden={route !== 'subjects'} aria-label="Subjects">
            <SubjectsPage />
          </section>
        )}
        {visited.has('composer') && (
          <section className="page" hidden={route !== 'composer'} aria-label="Batch composer">
            <ComposerPage />
          </section>
        )}
        {visited.has('grid') && (
          <section className="page" hidden={route !== 'grid'} aria-label="Grid monitor">
            <GridPage />
          </section>
        )}
        {visited.has('qc') && (
          <section className="page" hidden={route !== 'qc'} aria-label="QC mosaic">
            <QcPage />
          </section>
        )}
        {visited.has('plots') && (
          <section className="page" hidden={route !== 'plots'} aria-label="Plots">
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <PlotsPage />
            </Suspense>
          </section>
        )}
        {visited.has('viewer') && (
          <section className="page" hidden={route !== 'viewer'} aria-label="Viewer">
            <Suspense fallback={<p className="loading">Loading the viewer…</p>}>
              <ViewerPage />
            </Suspense>
          </section>
        )}
        {visited.has('projects') && (
          <section className="page" hidden={route !== 'projects'} aria-label="Projects">
            <ProjectsPage />
          </section>
        )}
        {visited.has('queues') && (
          <section className="page" hidden={route !== 'queues'} aria-label="Queues">
            <QueuesPage />
          </section>
        )}
        {visited.has('auto') && (
          <section className="page" hidden={route !== 'auto'} aria-label="Autoexec rules">
            <AutoPage />
          </section>
        )}
        {visited.has('library') && (
          <section className="page" hidden={route !== 'library'} aria-label="Job library">
            <LibraryPage />
          </section>
        )}
        {visited.has('users') && (
          <section className="page" hidden={route !== 'users'} aria-label="Users and tokens">
            <UsersPage />
          </section>
        )}
      </div>
    </AppContext.Provider>
  );
}
