import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.js';
import { TASK_FOLDER_FILES } from '../task-folder.js';
import { prepareClusterTask } from './cluster-task-files.js';

const spec = (logDir: string) => ({
  taskId: 't1',
  argv: ['true'],
  env: {},
  cwd: logDir,
  logDir,
  resources: {},
  after: [],
});

describe('prepareClusterTask', () => {
  it('makes a new folder with the wrapper, and clears an earlier run records from a reused one', () => {
    const dir = tempDir();
    const fresh = join(dir, 'a', 'b', 'task 1');
    const script = prepareClusterTask(spec(fresh), { graceSeconds: 1 });
    expect(existsSync(script)).toBe(true);

    const reused = join(dir, 'reused');
    mkdirSync(reused);
    const { exit, cancelled, held, timeLimit } = TASK_FOLDER_FILES;
    for (const name of [exit, cancelled, held, timeLimit]) writeFileSync(join(reused, name), 'old');
    prepareClusterTask(spec(reused), { graceSeconds: 1 });
    for (const name of [exit, cancelled, held, timeLimit]) expect(existsSync(join(reused, name))).toBe(false);
    expect(existsSync(join(reused, TASK_FOLDER_FILES.clusterScript))).toBe(true);
  });
});
