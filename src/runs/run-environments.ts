import type { Catalog } from '../catalog/catalog.js';
import { readJobCredential } from './job-credential.js';
import { jobSocketPath } from './job-socket/job-socket-path.js';
import { launchEnvironment } from './task-environment.js';
import type { TaskSpec } from '../executors/index.js';

/** Variables of the run's part that win over a task's own. */
const OVERRIDING = ['PATH', 'COHORT_TOKEN', 'COHORT_SOCKET'] as const;

/**
 * The environments tasks start with, from a part made once per run: the runner's environment with the
 * `cohort` CLI first on PATH, and the run's job credential and socket. Made per task before, a run of
 * 200,000 tasks built as many copies of the runner's whole environment from scratch.
 */
export class RunEnvironments {
  private readonly runs = new Map<number, Readonly<Record<string, string>>>();

  constructor(private readonly catalog: Catalog) {}

  /**
   * A task's environment as launchEnvironment makes it from the task's own variables (`own`, stored
   * with it), then its run's credential (given at launch, never stored): the run's part shared
   * (TaskSpec.sharedEnv) under the task's own. Own variables that the run's part must override (PATH,
   * the credential's) make a whole copy instead.
   */
  of(runId: number, own: Readonly<Record<string, string>>): Pick<TaskSpec, 'env' | 'sharedEnv'> {
    const base = this.run(runId);
    if (!OVERRIDING.some((name) => Object.hasOwn(own, name))) return { env: own, sharedEnv: base };
    const env: Record<string, string> = { ...base, ...own, PATH: base.PATH ?? '' };
    if (base.COHORT_TOKEN !== undefined) {
      env.COHORT_TOKEN = base.COHORT_TOKEN;
      env.COHORT_SOCKET = base.COHORT_SOCKET ?? '';
    }
    return { env };
  }

  private run(runId: number): Readonly<Record<string, string>> {
    let env = this.runs.get(runId);
    if (env !== undefined) return env;
    env = launchEnvironment(this.catalog.config, {});
    const token = readJobCredential(this.catalog.runsDir, runId);
    // The socket is where the run's owner answers in-job commands (when it listens: else the job's
    // `cohort` runs Node, as without one).
    if (token !== undefined)
      env = { ...env, COHORT_TOKEN: token, COHORT_SOCKET: jobSocketPath(this.catalog.runsDir, runId) };
    this.runs.set(runId, env);
    return env;
  }
}
