import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLeanCli } from '../../cli/lean-cli.js';
import { encodeJobRequest, type JobRequest } from './job-request.js';
import { JobSocket } from './job-socket.js';
import { jobSocketPath, MAX_SOCKET_PATH_BYTES, shortSocketDir } from './job-socket-path.js';

const made: string[] = [];
const open: JobSocket[] = [];

afterEach(async () => {
  for (const socket of open.splice(0)) await socket.close();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-sock-'));
  chmodSync(dir, 0o700);
  made.push(dir);
  return dir;
}

const TOKEN = `cohj_${'t'.repeat(43)}`;

async function listen(path: string): Promise<JobSocket | undefined> {
  const socket = await JobSocket.open({
    path,
    token: TOKEN,
    project: 'p',
    databasePath: '/db/c.db',
    run: runLeanCli,
  });
  if (socket !== undefined) open.push(socket);
  return socket;
}

/** Sends raw bytes, returns the answer as text. */
function send(path: string, bytes: Buffer, end = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let text = '';
    conn.on('data', (d: Buffer) => (text += d.toString()));
    conn.on('error', reject);
    conn.on('end', () => resolve(text));
    conn.write(bytes);
    if (end) conn.end();
  });
}

const JOB = { COHORT_TOKEN: TOKEN, COHORT_JOB_PROJECT: 'p', COHORT_PROJECT: 'p', COHORT_DB: '/db/c.db' };
const request = (env: Record<string, string>, argv: string[]): Buffer =>
  encodeJobRequest({ cwd: '/', env, argv } satisfies JobRequest);

describe('a run’s job socket', () => {
  it('lies in the run folder, or in a private temporary folder when that path is too long for a socket', () => {
    expect(jobSocketPath('/home/u/.cohort/runs/abc', 7)).toBe('/home/u/.cohort/runs/abc/7/job.sock');
    const deep = `/data/${'x'.repeat(120)}/runs/abc`;
    const short = jobSocketPath(deep, 7);
    expect(short.startsWith(`${shortSocketDir()}/`)).toBe(true);
    expect(Buffer.byteLength(short)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    expect(jobSocketPath(deep, 7)).toBe(short); // every owner of the run finds the same
    expect(jobSocketPath(deep, 8)).not.toBe(short);
  });

  it('listens with mode 0600 and answers the in-job CLI, refusing what is not its run’s', async () => {
    const path = join(privateDir(), 'job.sock');
    expect(await listen(path)).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const help = JSON.parse(await send(path, request(JOB, ['add', '--help']))) as {
      code: number;
      out: [number, string][];
    };
    expect(help.code).toBe(0);
    expect(help.out[0]?.[0]).toBe(1);
    expect(help.out[0]?.[1]).toContain('cohort add');
    const refused = async (env: Record<string, string>, argv: string[]): Promise<unknown> =>
      JSON.parse(await send(path, request(env, argv)));
    expect(await refused(JOB, ['run', 'x.json'])).toEqual({ refused: 'not an in-job command' });
    expect(await refused({ ...JOB, COHORT_TOKEN: 'cohj_other' }, ['add', '--help'])).toEqual({
      refused: "not this run's job credential",
    });
    expect(await refused({ ...JOB, COHORT_JOB_PROJECT: 'q' }, ['add', '--help'])).toEqual({
      refused: "not this run's project",
    });
    expect(await refused({ ...JOB, COHORT_DB: '/db/other.db' }, ['add', '--help'])).toEqual({
      refused: 'another catalog',
    });
    // Bytes that are no request, and a client that stops halfway, get a refusal, not a hang.
    expect(await send(path, Buffer.from([0, 0, 0, 3, 65, 66, 67]))).toBe(
      JSON.stringify({ refused: 'request not NUL-terminated' }),
    );
    const half = request(JOB, ['add', '--help']).subarray(0, 10);
    expect(await send(path, half, true)).toBe(JSON.stringify({ refused: 'incomplete request' }));
  });

  it('does not listen where others could connect, and leaves no file when closed', async () => {
    const shared = privateDir();
    chmodSync(shared, 0o755);
    expect(await listen(join(shared, 'job.sock'))).toBeUndefined();
    const dir = privateDir();
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    const path = join(dir, 'run', 'job.sock');
    const socket = await listen(path);
    await socket?.close();
    expect(() => statSync(path)).toThrow();
    // Something else in the way: no socket, and no error (the run goes on with the Node CLI).
    mkdirSync(path);
    expect(await listen(path)).toBeUndefined();
  });
});
