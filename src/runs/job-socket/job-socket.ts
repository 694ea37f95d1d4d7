import { timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { resolveConfig, type CohortConfig } from '../../config/resolve-config.js';
import { secretHash } from '../../users/secret-token.js';
import {
  BadJobRequest,
  parseJobRequest,
  RequestReader,
  type JobAnswer,
  type JobRefusal,
  type JobRequest,
} from './job-request.js';
import { MAX_SOCKET_PATH_BYTES, shortSocketDir } from './job-socket-path.js';

/** Where a command writes (the CLI's CliStreams, structurally: runs/ does not import the CLI). */
export interface JobStreams {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Runs an in-job command line as the CLI would; null when it is none of the in-job commands. The CLI
 * passes its lean entry (cli/lean-cli.ts runLeanCli): the very function `cohort add` runs in a job.
 */
export type JobCommandRunner = (
  argv: readonly string[],
  config: CohortConfig,
  io: JobStreams,
) => Promise<number | null>;

/** What a run's socket serves: whose run it is, and what runs the commands. */
export interface JobSocketOptions {
  readonly path: string;
  /** The run's job credential (COHORT_TOKEN of its tasks): a request without it is refused. */
  readonly token: string;
  /** The run's project: the only one its jobs may touch. */
  readonly project: string;
  /** The owner's catalog database: a request for another catalog is refused. */
  readonly databasePath: string;
  readonly run: JobCommandRunner;
}

/**
 * A client that connects and then sends nothing holds a connection only this long (a job stopped with
 * SIGSTOP mid-request, say); a real request arrives in one write.
 */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A run's unix socket for its jobs' in-job commands (protocol: job-request.ts), open while its owner
 * owns the run. Each request runs the given JobCommandRunner with the job's working folder and COHORT_*
 * variables, pinned to the run's project, and answers what it printed and its exit code.
 */
export class JobSocket {
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly options: JobSocketOptions,
  ) {}

  /**
   * Listens on `options.path` (a stale file of an earlier owner is replaced), mode 0600. Undefined when
   * it cannot (the path is too long, its folder is not this user's private one, something else is in
   * the way); jobs then use the Node CLI, which works the same. Never throws: a run never fails for
   * want of its socket.
   */
  static async open(options: JobSocketOptions): Promise<JobSocket | undefined> {
    if (Buffer.byteLength(options.path) > MAX_SOCKET_PATH_BYTES || !privateFolder(dirname(options.path)))
      return undefined;
    const server = createServer({ allowHalfOpen: true });
    const socket = new JobSocket(server, options);
    server.on('connection', (conn) => socket.serve(conn));
    try {
      rmSync(options.path, { force: true });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      chmodSync(options.path, 0o600);
    } catch {
      server.close();
      return undefined;
    }
    // Errors after listening (none expected on a unix socket) must not crash the owner.
    server.on('error', () => undefined);
    return socket;
  }

  /** Stops taking requests, refuses those not yet read (their clients fall back), removes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of this.sockets) answer(conn, { refused: 'the run owner is closing' });
    rmSync(this.options.path, { force: true });
    await done;
  }

  private serve(conn: Socket): void {
    if (this.closed) return void answer(conn, { refused: 'the run owner is closing' });
    this.sockets.add(conn);
    conn.setTimeout(REQUEST_TIMEOUT_MS, () => conn.destroy());
    conn.on('close', () => this.sockets.delete(conn));
    conn.on('error', () => this.sockets.delete(conn));
    const reader = new RequestReader();
    const stop = (): void => {
      conn.off('data', onData);
      conn.off('end', onEnd);
    };
    // A client that closed its side before the whole request: nothing more will come.
    const onEnd = (): void => {
      stop();
      answer(conn, { refused: 'incomplete request' });
    };
    const onData = (chunk: Buffer): void => {
      let body: Buffer | null;
      try {
        body = reader.push(chunk);
      } catch (error) {
        stop();
        return void answer(conn, { refused: (error as Error).message });
      }
      if (body === null) return;
      stop();
      // Read: from here the command runs to its end (a busy catalog may take a while), even if the
      // owner starts closing meanwhile.
      conn.setTimeout(0);
      this.sockets.delete(conn);
      void this.handle(body).then((reply) => answer(conn, reply));
    };
    conn.on('data', onData);
    conn.on('end', onEnd);
  }

  /** The answer to one request body. Never throws (the owner must not die of a client). */
  private async handle(body: Buffer): Promise<JobAnswer | JobRefusal> {
    let request: JobRequest;
    try {
      request = parseJobRequest(body);
    } catch (error) {
      return { refused: error instanceof BadJobRequest ? error.message : 'unreadable request' };
    }
    const refusal = this.refusal(request);
    if (refusal !== undefined) return { refused: refusal };
    const config = resolveConfig({ cwd: request.cwd, jobProject: this.options.project }, request.env);
    if (config.databasePath !== this.options.databasePath) return { refused: 'another catalog' };
    const out: [1 | 2, string][] = [];
    const io: JobStreams = {
      out: (text) => void out.push([1, text]),
      err: (text) => void out.push([2, text]),
    };
    try {
      const code = await this.options.run(request.argv, config, io);
      if (code === null) return { refused: 'not an in-job command' };
      return { code, out };
    } catch (error) {
      // A bug (a CohortError never gets here): shown as the CLI shows one, never run a second time.
      out.push([2, `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`]);
      return { code: 1, out };
    }
  }

  /** Why this owner does not answer the request (the Node CLI then does), if it does not. */
  private refusal(request: JobRequest): string | undefined {
    const token = request.env.COHORT_TOKEN;
    if (token === undefined || !sameSecret(token, this.options.token)) return "not this run's job credential";
    // The CLI pins a job to COHORT_JOB_PROJECT; a request claiming another project is not this run's.
    if (request.env.COHORT_JOB_PROJECT !== this.options.project) return "not this run's project";
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(secretHash(given), 'hex'), Buffer.from(secretHash(expected), 'hex'));
}

function answer(conn: Socket, reply: JobAnswer | JobRefusal): void {
  if (conn.destroyed) return;
  conn.end(JSON.stringify(reply));
}

/** Whether `dir` is a folder of this user's that no one else may enter; the short-path folder is made so. */
function privateFolder(dir: string): boolean {
  if (dir === shortSocketDir()) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch {
      // exists: checked below
    }
  }
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
