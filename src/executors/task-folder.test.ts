import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exitStatus,
  formatExitRecord,
  parseExitRecord,
  parseLaunchRecords,
  readExitRecord,
  readTaskFolder,
  writeExitRecord,
} from './task-folder.js';

const root = mkdtempSync(join(tmpdir(), 'cohort-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const folder = (): string => mkdtempSync(join(root, `t${++count}-`));

describe('exit record', () => {
  it('is one line, read back as written', () => {
    const record = { code: 3, cause: 'exit', host: 'node1', startedAt: 1000_000, endedAt: 1005_000 } as const;
    expect(formatExitRecord(record)).toBe('3 exit node1 1000 1005\n');
    expect(parseExitRecord(formatExitRecord(record))).toEqual(record);
    const unrun = { code: undefined, cause: 'dependency-failed', host: 'n', endedAt: 7000 } as const;
    expect(formatExitRecord(unrun)).toBe('- dependency-failed n - 7\n');
    expect(parseExitRecord('- dependency-failed n - 7\n')).toEqual(unrun);
  });

  it('is not there until complete', () => {
    expect(parseExitRecord('3 exit node1 1000')).toBeUndefined();
  });

  it('reads the formats of folders written by an older Cohort', () => {
    expect(parseExitRecord('0 host 12\n')).toEqual({ code: 0, cause: 'exit', host: 'host', endedAt: 12_000 });
    expect(parseExitRecord('- host 12\n')).toMatchObject({ code: undefined, cause: 'dependency-failed' });
    expect(parseExitRecord('skipped\n')).toMatchObject({ cause: 'dependency-failed' });
    expect(parseExitRecord('126 no-folder h 1 2\n')).toMatchObject({ code: 126, cause: 'could-not-start' });
  });

  it('is written atomically and read from `exit`, or `exit-code` where an older cluster wrapper wrote it', () => {
    const dir = folder();
    writeExitRecord(dir, { code: 0, cause: 'exit', host: 'h', endedAt: 2000 });
    expect(readExitRecord(dir)).toMatchObject({ code: 0, host: 'h' });
    const cluster = folder();
    writeFileSync(join(cluster, 'exit-code'), '124 time-limit n 1 3\n');
    expect(readExitRecord(cluster)).toMatchObject({ code: 124, cause: 'time-limit', startedAt: 1000 });
  });
});

describe('exitStatus', () => {
  it('gives the state and the reason each backend gave before causes', () => {
    const base = { host: 'h', endedAt: 2000 };
    expect(exitStatus({ code: 0, cause: 'exit', ...base })).toEqual({
      state: 'done',
      cause: 'exit',
      exitCode: 0,
      ...base,
    });
    expect(exitStatus({ code: 2, cause: 'exit', ...base })).toMatchObject({
      state: 'error',
      reason: 'exit code 2',
    });
    expect(exitStatus({ code: 124, cause: 'time-limit', ...base })).toMatchObject({
      state: 'error',
      exitCode: 124,
      reason: 'time limit',
    });
    expect(exitStatus({ code: undefined, cause: 'cancelled', ...base })).toMatchObject({
      state: 'killed',
      reason: 'killed',
    });
  });
});

describe('readTaskFolder', () => {
  it('tells not started, running (started or pid) and ended', () => {
    const dir = folder();
    expect(readTaskFolder(dir)).toEqual({ kind: 'not-started' });
    writeFileSync(join(dir, 'started'), '5\n');
    expect(readTaskFolder(dir)).toEqual({ kind: 'running', startedAt: 5000 });
    writeExitRecord(dir, { code: 1, cause: 'exit', host: 'h', endedAt: 9000 });
    expect(readTaskFolder(dir)).toMatchObject({ kind: 'ended', startedAt: 5000, exit: { code: 1 } });
    const local = folder();
    writeFileSync(join(local, 'pid'), '123 456 0\n'); // a folder of a launcher before the records moved
    expect(readTaskFolder(local)).toEqual({ kind: 'running' });
    expect(readTaskFolder(join(root, 'missing'))).toEqual({ kind: 'not-started' });
  });

  it("reads the local launcher's records from `launch`: handed over, started, ended", () => {
    const dir = folder();
    const fields = '77 999\0/work dir\x002\0/bin/sh\0-c\0NAME=a\nexit 3 exit h 1 2\n\0';
    writeFileSync(join(dir, 'launch'), fields);
    // A value holding a line like a record is a field, not a record: records follow the last NUL.
    expect(readTaskFolder(dir)).toEqual({ kind: 'not-started' });
    expect(parseLaunchRecords(fields)).toEqual({ owner: { pid: 77, startTicks: '999' } });
    appendFileSync(join(dir, 'launch'), 'pid 123 456');
    expect(parseLaunchRecords(readFileSync(join(dir, 'launch'), 'utf8')).started).toBe('partial');
    appendFileSync(join(dir, 'launch'), ' 0.5\n');
    expect(readTaskFolder(dir)).toEqual({ kind: 'running' });
    expect(parseLaunchRecords(readFileSync(join(dir, 'launch'), 'utf8')).started).toEqual({
      pid: 123,
      startTicks: '456',
      limitSeconds: 0.5,
    });
    appendFileSync(join(dir, 'launch'), 'exit 0 exit node1 1733212800 1733212805');
    expect(readTaskFolder(dir)).toEqual({ kind: 'running' }); // no newline yet: not a record
    appendFileSync(join(dir, 'launch'), '\n');
    expect(readTaskFolder(dir)).toEqual({
      kind: 'ended',
      exit: { code: 0, cause: 'exit', host: 'node1', startedAt: 1733212800000, endedAt: 1733212805000 },
    });
    expect(readExitRecord(dir)?.code).toBe(0);
  });
});
