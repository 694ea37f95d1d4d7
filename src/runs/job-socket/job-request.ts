/**
 * The protocol of a run's job socket (docs/architecture.md, "In-job commands over the run's socket"):
 * a job's `cohort add/select/tag/record` sent by libexec/cohort-client.c to the process that owns the
 * run, answered with what the command printed and its exit code. One request per connection.
 *
 * Request: a 4-byte big-endian length, then that many bytes:
 *
 *     cohort-job/1 NUL  CWD NUL  (NAME=VALUE NUL)*  NUL  (ARG NUL)*
 *
 * the client's working folder, its COHORT_* variables (the job credential COHORT_TOKEN among them) and
 * the command line after `cohort`, each as the client got it, byte for byte (no shell, no quoting). An
 * empty string ends the variables (a variable is never empty: it holds `=`); arguments may be empty.
 *
 * Answer: one JSON object, then the owner closes the connection:
 * `{"code":N,"out":[[1,"text"],[2,"text"],...]}` (what went to stdout (1) and stderr (2), in order), or
 * `{"refused":"why"}`: the client then runs the Node CLI instead, as if there were no socket.
 */
export const JOB_PROTOCOL = 'cohort-job/1';

/** The largest request accepted: more than any command line the kernel passes (ARG_MAX is 2 MiB). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** A parsed request: where the client runs, its COHORT_* variables and its command line. */
export interface JobRequest {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
}

/** What a command printed, in order, and its exit code. */
export interface JobAnswer {
  readonly code: number;
  readonly out: ReadonlyArray<readonly [1 | 2, string]>;
}

/** Why a request was not run; the client falls back to the Node CLI. */
export interface JobRefusal {
  readonly refused: string;
}

/** A request the owner cannot read: it is refused with this message. */
export class BadJobRequest extends Error {
  override readonly name = 'BadJobRequest';
}

/**
 * Parses a request body (without its length prefix). Strings are decoded as UTF-8, as Node decodes its
 * own `process.argv` and environment, so both paths see the same text.
 * @throws BadJobRequest when the body is not a request of this protocol.
 */
export function parseJobRequest(body: Buffer): JobRequest {
  if (body.length === 0 || body[body.length - 1] !== 0) throw new BadJobRequest('request not NUL-terminated');
  const fields = body
    .subarray(0, body.length - 1)
    .toString('utf8')
    .split('\0');
  const [protocol, cwd, ...rest] = fields;
  if (protocol !== JOB_PROTOCOL) throw new BadJobRequest(`unknown protocol '${String(protocol)}'`);
  if (cwd === undefined || !cwd.startsWith('/'))
    throw new BadJobRequest('the working folder is not absolute');
  const end = rest.indexOf('');
  if (end < 0) throw new BadJobRequest('no end of the variables');
  const env: Record<string, string> = {};
  for (const entry of rest.slice(0, end)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new BadJobRequest(`not a variable: '${entry}'`);
    const name = entry.slice(0, eq);
    // Only the task's own variables travel; anything else would be the client's bug.
    if (!name.startsWith('COHORT_')) throw new BadJobRequest(`not a COHORT_ variable: '${name}'`);
    env[name] = entry.slice(eq + 1);
  }
  return { cwd, env, argv: rest.slice(end + 1) };
}

/** Encodes a request with its length prefix (the C client's format; for tests and Node callers). */
export function encodeJobRequest(request: JobRequest): Buffer {
  const parts = [
    JOB_PROTOCOL,
    request.cwd,
    ...Object.entries(request.env).map(([k, v]) => `${k}=${v}`),
    '',
    ...request.argv,
  ];
  const body = Buffer.from(parts.map((p) => `${p}\0`).join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/**
 * Collects a request's bytes as they arrive. `push` returns the body once complete, null while more
 * is to come. @throws BadJobRequest when the announced length is over MAX_REQUEST_BYTES.
 */
export class RequestReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Buffer | null {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < 4) return null;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    const length = all.readUInt32BE(0);
    if (length > MAX_REQUEST_BYTES) throw new BadJobRequest(`request of ${length} bytes is too long`);
    if (all.length < 4 + length) return null;
    if (all.length > 4 + length) throw new BadJobRequest('bytes after the request');
    return all.subarray(4);
  }
}
