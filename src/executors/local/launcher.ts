import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { INSTALL_ROOT } from '../../config/install-root.js';
import type { TaskSpec } from '../executor.js';
import { readProcStat } from '../proc-stat.js';
import { writeLaunchRecord } from '../task-folder.js';

/** The bash program that starts and reaps tasks, where no C compiler built the native one. */
export const LAUNCHER_SCRIPT = join(INSTALL_ROOT, 'libexec', 'task-launcher.bash');

/**
 * The native launcher, libexec/task-launcher.c (libexec/launcher-io.h documents the protocol) as built by
 * scripts/build-launcher.sh; the same path from src/ (tests) and from dist/.
 */
export const NATIVE_LAUNCHER = join(INSTALL_ROOT, 'dist', 'libexec', 'task-launcher');

/** `native`: the C launcher (posix_spawn, its own time limits); `bash`: the script, its fallback. */
export type LauncherKind = 'native' | 'bash';

/** The native launcher when it was built, else the bash one. */
export function defaultLauncherKind(): LauncherKind {
  return nativeLauncherBuilt() ? 'native' : 'bash';
}

export function nativeLauncherBuilt(): boolean {
  return existsSync(NATIVE_LAUNCHER);
}

/** What the launcher tells its owner. */
export interface LauncherEvents {
  started(seq: number, pid: number): void;
  /** `why`: the task could not start, and this says why (the launcher's words). */
  ended(seq: number, code: number, why?: string): void;
  /** A task handed over ahead was taken back before it started (see `withdraw`). */
  returned?(seq: number): void;
  /** The launcher process is gone (its tasks may still run: they are their own process groups). */
  lost(): void;
}

/**
 * The Node side of the task launcher (libexec/task-launcher.c, or libexec/task-launcher.bash): starts it
 * on first use, writes a request per task and turns its `S`/`E` lines into events. One per LocalExecutor.
 */
export class Launcher {
  private child: ChildProcess | undefined;
  /** `<pid> <start ticks>` of the launcher process. */
  private identity = '';
  /** Requests not yet written: those of one pass of the scheduler go out in one write. */
  private pending = '';

  constructor(
    private readonly params: {
      host: string;
      graceSeconds: number;
      kind: LauncherKind;
      /** Slots the native launcher fills with tasks handed over ahead (see `ahead`); none: no queue. */
      slots?: number;
    },
    private readonly events: LauncherEvents,
  ) {}

  /**
   * Whether tasks may be handed over before a slot is free: the native launcher queues them and starts
   * each the moment a slot frees, without a round trip through this process (`Q` requests).
   */
  get ahead(): boolean {
    return this.params.kind === 'native' && (this.params.slots ?? 0) > 0;
  }

  /**
   * Writes the task's `launch` file and asks the launcher to start it: now, or (`ahead`) once `slots` of
   * the launcher's are free.
   */
  launch(seq: number, spec: TaskSpec, logDir: string, limitSeconds: number, slots = 1): void {
    this.process();
    writeLaunchRecord(logDir, this.identity, spec);
    const queued = this.ahead ? `Q ${slots} ` : '';
    this.request(`${queued}${seq} ${seconds(limitSeconds)} ${logDir}\n`);
  }

  /** Takes back a task handed over ahead that has not started: `returned` follows if it had not. */
  withdraw(seq: number): void {
    if (this.ahead && this.child !== undefined) this.request(`W ${seq}\n`);
  }

  private request(line: string): void {
    if (this.pending === '') queueMicrotask(() => this.flush());
    this.pending += line;
  }

  /**
   * Asks the native launcher to compact these ended tasks' folders (`C <folder>` requests), after the
   * requests before them and also once this runner has gone; false when it cannot (the bash launcher,
   * or no launcher running), and the caller compacts them itself.
   */
  compact(logDirs: readonly string[]): boolean {
    if (this.params.kind !== 'native' || this.child === undefined) return false;
    if (logDirs.length === 0) return true;
    this.request(logDirs.map((dir) => `C ${dir}\n`).join(''));
    return true;
  }

  private flush(): void {
    const requests = this.pending;
    this.pending = '';
    if (requests === '') return;
    this.child?.stdin?.write(requests);
  }

  /** Stops reading reports; the launcher finishes the tasks it started, records their ends, and exits. */
  close(): void {
    this.flush(); // requests made just before: the launcher still starts them
    const child = this.child;
    if (child === undefined) return;
    child.removeAllListeners('close');
    child.stdin?.end();
    child.stdout?.destroy(); // its writes fail (it ignores SIGPIPE) instead of filling a pipe nobody reads
    child.unref();
    this.child = undefined;
  }

  private process(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const [command, script] = launcherCommand(this.params.kind);
    const child = spawn(
      command,
      [
        ...script,
        this.params.host,
        seconds(this.params.graceSeconds),
        timeoutPath(),
        String(this.params.slots ?? 0),
      ],
      // Its own session: it outlives this runner (kill -9 included) to record how its tasks end.
      { detached: true, env: {}, stdio: ['pipe', 'pipe', 'ignore'] },
    );
    this.child = child;
    const pid = child.pid ?? 0;
    this.identity = `${pid} ${readProcStat(pid)?.startTicks ?? 0}`;
    createInterface({ input: child.stdout }).on('line', (line) => this.report(line));
    child.stdin?.on('error', () => undefined); // a dead launcher shows as `close`
    child.once('close', () => {
      this.child = undefined;
      this.events.lost();
    });
    child.once('error', () => undefined);
    return child;
  }

  private report(line: string): void {
    // `R` (ready) needs no answer: requests written before it wait in the pipe.
    const [kind, seq, value, ...why] = line.split(' ');
    if (kind === 'S') {
      this.events.started(Number(seq), Number(value));
    } else if (kind === 'U') {
      this.events.returned?.(Number(seq));
    } else if (kind === 'E') {
      if (why.length === 0) this.events.ended(Number(seq), Number(value));
      else this.events.ended(Number(seq), Number(value), why.join(' '));
    }
  }
}

/** Seconds as `timeout` reads them: decimal, at most millisecond precision. */
function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** The program and its first arguments (the script); the protocol's arguments follow. */
function launcherCommand(kind: LauncherKind): [string, string[]] {
  switch (kind) {
    case 'native':
      return [NATIVE_LAUNCHER, []];
    case 'bash':
      return [bashPath(), [LAUNCHER_SCRIPT]];
  }
}

let bash: string | undefined;
let timeoutCommand: string | undefined;

/** Absolute paths where we find them, so nothing on a task's PATH can hide or replace them. */
function bashPath(): string {
  bash ??= ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p)) ?? 'bash';
  return bash;
}

function timeoutPath(): string {
  timeoutCommand ??= ['/usr/bin/timeout', '/bin/timeout'].find((p) => existsSync(p)) ?? 'timeout';
  return timeoutCommand;
}
