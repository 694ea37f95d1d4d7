import { useCallback, useEffect, useState } from 'react';

export const ROUTES = [
  'subjects',
  'composer',
  'grid',
  'projects',
  'queues',
  'auto',
  'qc',
  'plots',
  'viewer',
  'library',
  'users',
] as const;
/** The app's pages, addressed as `#/subjects`, `#/composer`, `#/grid`, `#/queues`... */
export type Route = (typeof ROUTES)[number];

function routeOf(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'subjects';
}

/** The current page from the URL's hash, and a way to go to another one (history entries kept). */
export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  useEffect(() => {
    const update = (): void => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  const navigate = useCallback((next: Route) => {
    window.location.hash = `#/${next}`;
  }, []);
  return [route, navigate];
}
