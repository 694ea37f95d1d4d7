import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { openCatalog } from '../src/catalog/catalog.js';
import { createProject } from '../src/catalog/project-store.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { createApp } from '../src/server/app.js';
import { WRITE_CHUNK } from '../src/server/map-in-chunks.js';
import { createServerContext } from '../src/server/serve.js';
import { createUserToken } from '../src/users/api-tokens.js';
import { createUser } from '../src/users/user-store.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const PATHS = 10_000;
const RUNS = 3;
/** Pause between the small requests sent while the add runs. */
const PAUSE_MS = 20;

/**
 * Issue 10 item 10: one request adds 10,000 paths while another asks for the project list, over real
 * HTTP. The same catalog behind two servers: the route as it is (WRITE_CHUNK paths per transaction,
 * yielding between chunks) and the same route in one chunk (how it behaved before). Small requests
 * follow each other while the add runs; the figure is the longest one waited. Alternated, RUNS each,
 * medians.
 */
export async function runWriteStallBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-stall-bench-'));
  const root = join(dir, 'data');
  const folder = join(root, 'P001', '20200101', 'bulk');
  mkdirSync(folder, { recursive: true });
  const paths = Array.from({ length: PATHS }, (_, i) => `P001/20200101/bulk/f${i}.nii`);
  for (const p of paths) writeFileSync(join(root, p), 'x');
  const catalog = openCatalog(resolveConfig({ home: join(dir, 'home') }, {}));
  createProject(catalog.db, { name: 'bulk', root, layout: 'folders' });
  const user = await createUser(catalog.db, { name: 'bench', password: 'bench password' });
  const { token } = createUserToken(catalog.db, user.id, 'bench');
  const listen = async (writeChunk: number): Promise<{ server: Server; port: number }> => {
    const app = createApp(createServerContext(catalog, { staticDir: join(dir, 'none'), writeChunk }));
    return new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ server: s, port: info.port }),
      ) as Server;
      // A stalled event loop fires the 5 s keep-alive timer late, racing the client's next request.
      s.keepAliveTimeout = 120_000;
    });
  };
  const variants = [
    { name: `${WRITE_CHUNK} paths per chunk (now)`, ...(await listen(WRITE_CHUNK)) },
    { name: 'one chunk (before)', ...(await listen(PATHS)) },
  ];
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // Small requests one after another for as long as the add runs: the longest wait is the stall.
  const once = async (port: number): Promise<{ small: number; add: number }> => {
    const started = performance.now();
    let done = false;
    const add = fetch(`http://127.0.0.1:${port}/api/projects/bulk/files`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ paths }),
    }).then(async (res) => {
      if (res.status !== 200) throw new Error(`add: ${res.status}`);
      await res.arrayBuffer();
      done = true;
      return performance.now() - started;
    });
    let longest = 0;
    while (!done) {
      const asked = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/projects`, { headers });
      await res.arrayBuffer();
      longest = Math.max(longest, performance.now() - asked);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    return { small: longest, add: await add };
  };
  const results = variants.map(() => ({ small: [] as number[], add: [] as number[] }));
  try {
    await once(variants[0]?.port ?? 0); // warm-up: registers the paths; later runs update them
    for (let run = 0; run < RUNS; run++) {
      for (const [i, v] of variants.entries()) {
        const r = await once(v.port);
        results[i]?.small.push(r.small);
        results[i]?.add.push(r.add);
      }
    }
  } finally {
    for (const v of variants) v.server.close();
    catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = variants.map(
    (v, i) => `| ${v.name} | ${ms(median(results[i]?.small ?? []))} | ${ms(median(results[i]?.add ?? []))} |`,
  );
  writeSection(
    'write-stall',
    `## Server: a request while another adds 10,000 paths (issue 10)

${machineLine()}; load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end. \`bench/write-stall-bench.ts\`:
POST /api/projects/P/files with ${PATHS.toLocaleString('en')} paths while GET /api/projects is asked
again and again (${PAUSE_MS} ms apart), over HTTP; the same catalog behind two servers, alternated,
median of ${RUNS}.

| route | longest GET wait during the add | the add itself |
| ----- | ------------------------------- | -------------- |
${rows.join('\n')}`,
  );
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await runWriteStallBench();
