import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { resolveConfig } from '../src/config/resolve-config.js';
import { createLargeFixture } from '../src/selection/large-fixture.js';
import { createApp } from '../src/server/app.js';
import { createServerContext } from '../src/server/serve.js';
import { createUserToken } from '../src/users/api-tokens.js';
import { createUser } from '../src/users/user-store.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const RUNS = 30;
/** 10,000 subjects x 3 studies x 4 series x 2 files: 30,000 studies, 240,000 files. */
const SHAPE = { subjects: 10_000, studiesPerSubject: 3, seriesPerStudy: 4, filesPerSeries: 2 };

/**
 * Issue 5 figures: the subjects endpoint over real HTTP (a listening server, fetch with a bearer token)
 * on a catalog of 10,000 subjects: the first page of 100, a page deep in the table, and filter queries.
 * Median of RUNS requests each, after one warm-up.
 */
export async function runServerBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-server-bench-'));
  const { db, project } = createLargeFixture(SHAPE);
  const catalog = {
    db,
    config: resolveConfig({ home: dir }, {}),
    runsDir: join(dir, 'runs'),
    close: () => db.close(),
  };
  const user = await createUser(db, { name: 'bench', password: 'bench password' });
  const { token } = createUserToken(db, user.id, 'bench');
  const context = createServerContext(catalog, { staticDir: join(dir, 'none') });
  const app = createApp(context);
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
  });
  const get = async (path: string): Promise<{ total: number; items: unknown[] }> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/projects/${project.name}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { total: number; items: unknown[] };
  };
  const cases: Array<[string, string]> = [
    ['first page of 100 subjects', '/subjects?limit=100'],
    ['page 100 of 100 subjects', '/subjects?limit=100&offset=9900'],
    [
      'filter: id prefix & subject tag',
      `/subjects?limit=100&filter=${encodeURIComponent('S01 & PTAG:control')}`,
    ],
    ['filter: study tag', `/subjects?limit=100&filter=${encodeURIComponent('STAG:qc_ok')}`],
    [
      'filter: file pattern & subject tag',
      `/subjects?limit=100&filter=${encodeURIComponent('t1_mprage*/s000* & PTAG:control')}`,
    ],
    ['studies table, first page of 100', '/studies?limit=100'],
  ];
  const rows: string[] = [];
  try {
    for (const [what, path] of cases) {
      const first = await get(path);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await get(path);
        times.push(performance.now() - started);
      }
      rows.push(`| ${what} | \`${decodeURIComponent(path)}\` | ${first.total} | ${ms(median(times))} |`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await context.runs.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  writeSection(
    'server',
    `## Server: the subjects endpoint with 10,000 subjects

${machineLine()}; load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end (the machine is shared). In-memory SQLite catalog of ${SHAPE.subjects.toLocaleString('en')} subjects, ${(SHAPE.subjects * SHAPE.studiesPerSubject).toLocaleString('en')} studies and ${(SHAPE.subjects * SHAPE.studiesPerSubject * SHAPE.seriesPerStudy * SHAPE.filesPerSeries).toLocaleString('en')} files; every
other subject tagged \`control\`, every third study \`qc_ok\`. Real HTTP on 127.0.0.1 (\`fetch\`, bearer
token, JSON parsed), median of ${RUNS} requests after a warm-up. Each answer is one page with the total
count, tags and job indicators (\`bench/server-bench.ts\`).

| request | query | matching rows | median |
| --- | --- | ---: | ---: |
${rows.join('\n')}`,
  );
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await runServerBench();
