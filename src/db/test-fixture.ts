import type { Db } from './open-database.js';

// Test-only (excluded from the build): the scale tests pin how many statements a query path runs.

/** The real database, recording the SQL of every statement run with all() or iterate(). */
export function recording(target: Db): { db: Db; statements: { text: string; params: unknown[] }[] } {
  const statements: { text: string; params: unknown[] }[] = [];
  const bind = (object: object, key: string | symbol): unknown => {
    const value: unknown = Reflect.get(object, key);
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value;
  };
  const spy = new Proxy(target, {
    get(real, key) {
      if (key !== 'prepare') return bind(real, key);
      return (text: string) => {
        const statement = real.prepare(text);
        const proxy: typeof statement = new Proxy(statement, {
          get(target, k) {
            // raw() returns the statement itself: keep returning the recording proxy.
            if (k === 'raw') return (toggle?: boolean) => (target.raw(toggle ?? true), proxy);
            if (k !== 'all' && k !== 'iterate' && k !== 'get') return bind(target, k);
            return (...params: unknown[]) => {
              statements.push({ text, params });
              if (k === 'get') return target.get(...params);
              return k === 'all' ? target.all(...params) : target.iterate(...params);
            };
          },
        });
        return proxy;
      };
    },
  });
  return { db: spy, statements };
}
