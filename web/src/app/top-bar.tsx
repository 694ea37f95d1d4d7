import { api } from '../api/api-client.js';
import { useApp } from './app-context.js';
import { ROUTES, type Route } from './use-hash-route.js';

const TITLES: Record<Route, string> = {
  subjects: 'Subjects',
  composer: 'Batch composer',
  grid: 'Grid',
  qc: 'QC mosaic',
  plots: 'Plots',
  viewer: 'Viewer',
  projects: 'Projects',
  queues: 'Queues',
  auto: 'Autoexec',
  library: 'Job library',
  users: 'Users & tokens',
};

/** Page tabs, the project picker, who is logged in. */
export function TopBar({ route, onLogout }: { readonly route: Route; readonly onLogout: () => void }) {
  const { me, project, setProject, navigate } = useApp();
  return (
    <header className="top-bar">
      <strong className="brand">Cohort</strong>
      <nav>
        {ROUTES.map((r) => (
          <a
            key={r}
            href={`#/${r}`}
            className={r === route ? 'active' : undefined}
            aria-current={r === route ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(r);
            }}
          >
            {TITLES[r]}
          </a>
        ))}
      </nav>
      <label className="project-picker">
        Project
        <select value={project.name} onChange={(e) => setProject(e.target.value)} aria-label="Project">
          {me.projects.map((p) => (
            <option key={p.id} value={p.name}>
              {p.name} ({p.role})
            </option>
          ))}
        </select>
      </label>
      <span className="user">{me.user.name}</span>
      <button type="button" onClick={() => void api('POST', '/api/auth/logout').finally(onLogout)}>
        Log out
      </button>
    </header>
  );
}
