import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { CohortError } from '../../errors/cohort-error.js';

/** What one scheduler command did: for observers (benchmarks, debug logs). */
export interface CommandEvent {
  readonly program: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly ms: number;
}

/** How a command ended. A non-zero exit is not an error here: each caller knows what its tool means. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunnerOptions {
  /** Added to this process's environment for every command, e.g. `{ SLURM_CONF: '/etc/slurm/x.conf' }`. */
  readonly env?: Readonly<Record<string, string>>;
  /** A command running longer is killed and reported, so nothing waits on a stuck scheduler. Default 60 s. */
  readonly timeoutMs?: number;
}

/** Long enough for a busy controller (squeue of thousands of jobs), short enough that nothing hangs. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** Largest output read from one command: squeue of 100k jobs is about 20 MB. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Runs scheduler commands (sbatch, squeue, qsub, qstat...) as argument vectors, never through a shell,
 * and counts them: `count` in total, `counts` by program, and a listener per command. Shared by the
 * cluster executors, so a benchmark can report how many commands a submission or a poll cost.
 *
 * @example
 * const runner = new CommandRunner({ env: { SLURM_CONF: conf } });
 * const { code, stdout } = await runner.run('squeue', ['--noheader']);
 */
export class CommandRunner {
  /** Commands issued so far. */
  count = 0;
  /** Commands issued so far, by program name (`sbatch`, `squeue`). */
  readonly counts = new Map<string, number>();
  private readonly listeners = new Set<(event: CommandEvent) => void>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(options: CommandRunnerOptions = {}) {
    this.env = { ...process.env, ...options.env };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  /** Calls `listener` after each command; returns the function that removes it. */
  onCommand(listener: (event: CommandEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `program args...`, writing `input` to its stdin. Resolves with its exit code and output;
   * rejects only when the program cannot be run (TOOL_MISSING) or ran past the timeout (TOOL_FAILED,
   * retryable).
   */
  run(program: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const started = performance.now();
    const name = basename(program);
    this.count++;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      const child = execFile(
        program,
        args,
        { env: this.env, timeout: this.timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const failure = error as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
          const code = typeof failure?.code === 'number' ? failure.code : failure === null ? 0 : -1;
          this.tell({ program: name, args, code, ms: performance.now() - started });
          if (failure?.code === 'ENOENT') {
            reject(
              new CommandError('TOOL_MISSING', `${name} is not installed or not on PATH`, name, {
                hint: `Install the scheduler's client commands, or run on a machine that has ${name}`,
              }),
            );
          } else if (failure !== null && code === -1) {
            const why = failure.killed === true ? `ran past ${this.timeoutMs} ms` : failure.message;
            reject(
              new CommandError('TOOL_FAILED', `${name} ${why}`, name, {
                hint: 'Check that the scheduler is reachable (its controller may be down), then retry',
                retryable: true,
                cause: error,
              }),
            );
          } else resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.on('error', () => undefined); // a program that exits without reading its input
      child.stdin?.end(input ?? '');
    });
  }

  private tell(event: CommandEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`command listener failed: ${String(error)}`);
      }
    }
  }
}

/** A scheduler command that could not run or finish; `program` names it. */
export class CommandError extends CohortError {
  constructor(
    code: 'TOOL_MISSING' | 'TOOL_FAILED',
    message: string,
    readonly program: string,
    options: ConstructorParameters<typeof CohortError>[2],
  ) {
    super(code, message, { ...options, context: { program } });
  }
}
