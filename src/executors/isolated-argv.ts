import { invalidInput } from '../errors/cohort-error.js';
import type { Isolation } from '../jobs/isolation.js';

/** What a fenced-in command may see and touch. Paths are absolute. */
export interface IsolationMounts {
  /** The working folder (the task's folder): writable, since its scripts and scratch files live there. */
  readonly cwd: string;
  /** Inputs: visible read-only, also where they lie inside a writable folder. */
  readonly readOnly: readonly string[];
  /** Output folders: writable. They must exist when the command starts (the run makes them). */
  readonly writable: readonly string[];
  /** Names of the command's environment variables: a container gets them by name, never as text. */
  readonly envNames: readonly string[];
}

/** The programs, looked up on the task's PATH where the task runs (a cluster node has its own). */
export const ISOLATION_PROGRAMS = { sandbox: 'bwrap', podman: 'podman', apptainer: 'apptainer' } as const;

/**
 * `argv` wrapped in its isolation: bubblewrap, podman or Apptainer, or `argv` itself for none. The
 * one place that knows their command lines; the run's unit spec (runs/unit-spec.ts) calls it for
 * every task, so every executor runs the same wrapped command. Every path is one argument of its own.
 *
 * @throws CohortError INVALID_INPUT for a path a container's mount syntax cannot carry (a comma).
 */
export function isolatedArgv(
  isolation: Isolation | undefined,
  argv: readonly string[],
  mounts: IsolationMounts,
): string[] {
  switch (isolation?.kind ?? 'none') {
    case 'none':
      return [...argv];
    case 'sandbox':
      return sandboxArgv(isolation as Isolation, argv, mounts);
    case 'podman':
      return podmanArgv(isolation as Isolation, argv, mounts);
    case 'apptainer':
      return apptainerArgv(isolation as Isolation, argv, mounts);
  }
}

/** Writable folders: the working folder and the outputs, each once, parents before children. */
function writableOf(m: IsolationMounts): string[] {
  return [...new Set([m.cwd, ...m.writable])].sort((a, b) => a.length - b.length);
}

/** Inputs that lie in a writable folder (elsewhere they are read-only with everything else). */
function inputsInside(m: IsolationMounts, writable: readonly string[]): string[] {
  return [...new Set(m.readOnly)].filter((p) => writable.some((w) => p === w || p.startsWith(`${w}/`)));
}

function sandboxArgv(i: Isolation, argv: readonly string[], m: IsolationMounts): string[] {
  const writable = writableOf(m);
  return [
    ISOLATION_PROGRAMS.sandbox,
    // The sandbox ends with its launcher: a cancelled task leaves nothing behind.
    '--die-with-parent',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...(i.network === true ? [] : ['--unshare-net']),
    ...writable.flatMap((p) => ['--bind', p, p]),
    ...inputsInside(m, writable).flatMap((p) => ['--ro-bind', p, p]),
    // /tmp is read-only with the rest: temporary files go to the task's folder.
    '--setenv',
    'TMPDIR',
    m.cwd,
    '--chdir',
    m.cwd,
    '--',
    ...argv,
  ];
}

function podmanArgv(i: Isolation, argv: readonly string[], m: IsolationMounts): string[] {
  const writable = writableOf(m);
  const readOnly = [...new Set(m.readOnly)];
  return [
    ISOLATION_PROGRAMS.podman,
    ...(i.globalArgs ?? []),
    'run',
    '--rm',
    // Images come from the local store only: a job never pulls (the node may have no network).
    '--pull=never',
    // The image's own files are read-only too; /tmp inside is a private tmpfs.
    '--read-only',
    ...(i.network === true ? [] : ['--network=none']),
    ...writable.map((p) => `--mount=type=bind,source=${mountPath(p)},destination=${mountPath(p)}`),
    ...readOnly.map((p) => `--mount=type=bind,source=${mountPath(p)},destination=${mountPath(p)},ro=true`),
    `--workdir=${m.cwd}`,
    ...m.envNames.flatMap((name) => ['--env', name]),
    ...(i.runArgs ?? []),
    '--',
    i.image ?? '',
    ...argv,
  ];
}

function apptainerArgv(i: Isolation, argv: readonly string[], m: IsolationMounts): string[] {
  const writable = writableOf(m);
  const readOnly = [...new Set(m.readOnly)];
  return [
    ISOLATION_PROGRAMS.apptainer,
    ...(i.globalArgs ?? []),
    'exec',
    // No home, no /tmp of the host: only what is bound below.
    '--contain',
    '--no-home',
    ...(i.network === true ? [] : ['--net', '--network', 'none']),
    ...writable.flatMap((p) => ['--bind', `${mountPath(p)}:${mountPath(p)}:rw`]),
    ...readOnly.flatMap((p) => ['--bind', `${mountPath(p)}:${mountPath(p)}:ro`]),
    '--pwd',
    m.cwd,
    ...(i.runArgs ?? []),
    i.image ?? '',
    ...argv,
  ];
}

/** A path as a container's mount syntax carries it: commas (and colons for Apptainer) cannot be escaped. */
function mountPath(path: string): string {
  if (/[,:]/.test(path)) {
    throw invalidInput(
      `The path ${JSON.stringify(path)} cannot be mounted into a container: its mount syntax splits at commas and colons.`,
      'Rename the folder or file without commas and colons, or run the job without a container (sandbox or none).',
      { path },
    );
  }
  return path;
}
