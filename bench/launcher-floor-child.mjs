// One whole process of bench/launcher-floor.ts: Node hands COUNT tasks (`bash -c true`) to the built
// native launcher with SLOTS slots, each with its task folder and `launch` file as the local executor
// writes them, and exits once the launcher reported every end. No catalog, no scheduler, no states.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { Launcher } from '../dist/executors/local/launcher.js';

const [dir, countText, slotsText] = process.argv.slice(2);
const count = Number(countText);
let ended = 0;
const launcher = new Launcher(
  { host: hostname(), graceSeconds: 2, kind: 'native', slots: Number(slotsText) },
  {
    started: () => undefined,
    ended: (seq, code) => {
      if (code !== 0) throw new Error(`task ${seq} exited ${code}`);
      if (++ended === count) launcher.close();
    },
    lost: () => undefined,
  },
);
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
// In chunks, as the runner creates a large run: the launcher starts the first tasks while Node writes
// the next folders (its requests go out when the event loop turns).
const CHUNK = 32;
for (let i = 0; i < count; i++) {
  const logDir = join(dir, `task-${i}`);
  mkdirSync(logDir);
  const spec = {
    taskId: String(i),
    argv: ['bash', '-c', 'true'],
    env,
    cwd: dir,
    logDir,
    resources: {},
    after: [],
  };
  launcher.launch(i, spec, logDir, 0);
  if ((i + 1) % CHUNK === 0) await turn();
}
