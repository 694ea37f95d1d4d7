import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_ROOT } from '../config/install-root.js';
import type { CohortConfig } from '../config/resolve-config.js';

/** What a running job learns about itself from its environment. */
export interface TaskContext {
  readonly project: string;
  /** `PID#SID` at study level; `PID` at subject level. */
  readonly item: string;
  readonly study?: string;
  readonly taskId: number;
}

/**
 * The variables that tell a task who it is: its project and study, so a script can run
 * `cohort add "$o1" --tag mytag`. `COHORT_JOB_PROJECT` pins the CLI to that project: inside a job, no
 * other project is reachable through it. Stored with the task (provenance); see `launchEnvironment`.
 */
export function taskVariables(config: CohortConfig, context: TaskContext): Record<string, string> {
  return {
    COHORT_HOME: config.home,
    COHORT_DB: config.databasePath,
    COHORT_PROJECT: context.project,
    COHORT_JOB_PROJECT: context.project,
    COHORT_ITEM: context.item,
    COHORT_TASK: String(context.taskId),
    ...(context.study === undefined ? {} : { COHORT_STUDY: context.study }),
    // NORA's names for the same, so that NORA job scripts (`nora -a "$f1" -s "$DPXpsid"`) run unchanged.
    DPXproject: context.project,
    ...(context.study === undefined ? {} : { DPXpsid: context.study }),
  };
}

/**
 * The environment a task starts with: the caller's (like a scheduler's exported environment), the
 * task's own variables, and the `cohort` CLI first on PATH. Built at launch, not stored, so the
 * database never holds the caller's environment.
 */
export function launchEnvironment(
  config: CohortConfig,
  variables: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    ...config.taskEnv,
    ...variables,
    PATH: `${cohortShimDir(config)}:${config.taskEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
  };
}

const shimDirs = new Map<string, string>();

/** The built CLI entry (dist/cli/main.js), also when running from the TypeScript sources. */
export function cliMainPath(): string {
  return join(INSTALL_ROOT, 'dist', 'cli', 'main.js');
}

/**
 * The native in-job client (libexec/cohort-client.c, built into dist/libexec), also when running from
 * the TypeScript sources; absent where no C compiler was found at build time.
 */
export function cohortClientPath(): string {
  return join(INSTALL_ROOT, 'dist', 'libexec', 'cohort-client');
}

/**
 * A folder holding a `cohort` launcher for this installation; written once per home and process. It
 * runs the native client, which answers in-job commands through the run owner's socket and execs the
 * Node CLI for everything else; where the client cannot start, the Node CLI directly.
 */
export function cohortShimDir(config: CohortConfig): string {
  const known = shimDirs.get(config.home);
  if (known !== undefined) return known;
  const bin = join(config.home, 'bin');
  const node = shellWord(process.execPath);
  const main = shellWord(cliMainPath());
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'cohort');
  writeFileSync(shim, cohortShim(cohortClientPath(), process.execPath, cliMainPath()));
  chmodSync(shim, 0o755);
  // `nora ...` in a NORA job script: Cohort's mapping of NORA's backend CLI (cli/nora/).
  const nora = join(bin, 'nora');
  writeFileSync(nora, `#!/bin/sh\nexec ${node} ${main} nora "$@"\n`);
  chmodSync(nora, 0o755);
  shimDirs.set(config.home, bin);
  return bin;
}

/**
 * The text of the job's `cohort`: the native client where `client --probe` starts on the machine the
 * job runs on (it may be missing, not executable, or built for another architecture: a cluster node
 * need not match the host that wrote this), else the Node CLI with the same arguments. Checked at each
 * call, not here, for that reason; the probe costs about a millisecond. `exec` keeps the job's process
 * tree flat; every path is one quoted word and the arguments pass as "$@", never re-read by the shell.
 */
export function cohortShim(client: string, nodePath: string, mainPath: string): string {
  const [c, node, main] = [client, nodePath, mainPath].map(shellWord);
  return [
    '#!/bin/sh',
    `if ${c} --probe 2>/dev/null; then exec ${c} ${node} ${main} "$@"; fi`,
    `[ -z "$COHORT_CLIENT_TRACE" ] || echo 'cohort-client: Node CLI (the client cannot start here)' >&2`,
    `exec ${node} ${main} "$@"`,
    '',
  ].join('\n');
}

/** `text` as one single-quoted word of a POSIX shell. */
function shellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
