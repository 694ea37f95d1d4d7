import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../scripts/cluster/', import.meta.url));

/** Settings of slurm-up.sh (its COHORT_SLURM_* variables) beyond the folder and port. */
export type SlurmSettings = Readonly<Record<string, string>>;

/**
 * A Slurm cluster of a test file's own (scripts/cluster/slurm-up.sh in its own folder, on its own
 * ports): tests that kill nodes or shrink the cluster's limits must not disturb the shared cluster
 * that other test files use at the same time.
 */
export class PrivateSlurm {
  /** For the Slurm commands and the CLI: `SLURM_CONF`. */
  readonly env: Readonly<Record<string, string>>;
  private readonly scriptEnv: Record<string, string>;

  constructor(
    readonly dir: string,
    port: number,
    settings: SlurmSettings = {},
  ) {
    this.env = { SLURM_CONF: join(dir, 'slurm.conf') };
    this.scriptEnv = {
      ...(process.env as Record<string, string>),
      ...settings,
      COHORT_SLURM_DIR: dir,
      COHORT_SLURM_PORT: String(port),
    };
  }

  /** Starts it, or brings back what is down (a killed node); returns once every node is idle. */
  up(): void {
    execFileSync('bash', [join(SCRIPTS, 'slurm-up.sh')], { env: this.scriptEnv, stdio: 'pipe' });
  }

  /**
   * Cancels every job the cluster still runs or holds and waits until none is left: a test file that
   * failed halfway must not leave the next run its jobs (slurmd restarts, their processes do not stop).
   */
  async clear(): Promise<void> {
    const active = (): string[] =>
      this.run('squeue', '--noheader', '--states=PENDING,RUNNING,SUSPENDED,COMPLETING', '--format=%A')
        .split('\n')
        .filter((id) => id.trim() !== '');
    const ids = active();
    if (ids.length > 0) this.run('scancel', ...ids);
    const deadline = Date.now() + 60_000;
    while (active().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  }

  down(): void {
    execFileSync('bash', [join(SCRIPTS, 'slurm-down.sh')], { env: this.scriptEnv, stdio: 'pipe' });
  }

  /** Kills a node as a power cut would: its slurmd and every process of its jobs. */
  killNode(node: string): void {
    execFileSync('bash', [join(SCRIPTS, 'slurm-kill-node.sh'), node], { env: this.scriptEnv, stdio: 'pipe' });
  }

  /** Runs a Slurm client command against this cluster; returns its stdout. */
  run(command: string, ...args: string[]): string {
    return execFileSync(command, args, {
      env: { ...process.env, ...this.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'], // a failure's stderr goes into the error, not the test output
    });
  }

  /** Why slurm-up.sh could not use cgroups here (its written reason), or undefined when it did. */
  cgroupUnavailable(): string | undefined {
    const file = join(this.dir, 'cgroup-unavailable');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }
}
