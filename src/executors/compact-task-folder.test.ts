import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactTaskFolder } from './compact-task-folder.js';

describe('compactTaskFolder', () => {
  it('keeps the job files and the logs, empties `launch` and drops the other protocol files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-compact-'));
    const files: Record<string, string> = {
      launch: 'a\0b\0',
      pid: '1 2 0\n',
      exit: '0 exit h 1 2\n',
      'exit-code': '0 exit h 1 2\n',
      started: '1\n',
      cancelled: 'x\n',
      'stdout.log': 'hello\n',
      'stderr.log': '',
      'job.sh': 'echo hello\n',
      'task.sh': '#!/bin/bash\n',
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    compactTaskFolder(dir);
    expect(readdirSync(dir).sort()).toEqual(['job.sh', 'launch', 'stderr.log', 'stdout.log', 'task.sh']);
    expect(statSync(join(dir, 'launch')).size).toBe(0);
    expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toBe('hello\n');
    compactTaskFolder(join(dir, 'gone')); // a folder removed already is no error
  });
});
