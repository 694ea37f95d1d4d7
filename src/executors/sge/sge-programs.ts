import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's gridengine packages keep the real binaries, behind the wrappers on PATH. */
const DEBIAN_LIBEXEC = '/usr/lib/gridengine';
const DEBIAN_DEFAULTS = '/etc/default/gridengine';

/** How to run the SGE commands: each program's path and the environment they need. */
export interface SgePrograms {
  readonly path: (program: string) => string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Debian's `qsub`, `qstat`... on PATH are a shell wrapper that runs SGE's `arch` script (a handful of
 * forks) before each command: over a second per command on a loaded machine, against 30 ms for the
 * binary itself. Where that layout is found, the binaries are run directly with the SGE_ROOT and
 * SGE_CELL the wrapper would have read from /etc/default/gridengine, unless this process names an
 * SGE_ROOT of its own (another cell, e.g. `source $COHORT_SGE_DIR/env.sh` of scripts/cluster/sge-up.sh);
 * anywhere else, the names on PATH.
 */
export function sgePrograms(environment: NodeJS.ProcessEnv = process.env): SgePrograms {
  if (!existsSync(join(DEBIAN_LIBEXEC, 'qsub')) || !existsSync(DEBIAN_DEFAULTS)) {
    return { path: (program) => program, env: {} };
  }
  if (environment.SGE_ROOT !== undefined && environment.SGE_ROOT !== '') {
    return { path: (program) => join(DEBIAN_LIBEXEC, program), env: {} };
  }
  const defaults = readFileSync(DEBIAN_DEFAULTS, 'utf8');
  const value = (name: string): string | undefined =>
    new RegExp(`^${name}=["']?([^"'\\s]+)`, 'm').exec(defaults)?.[1];
  return {
    path: (program) => join(DEBIAN_LIBEXEC, program),
    env: { SGE_ROOT: value('SGE_ROOT') ?? '/var/lib/gridengine', SGE_CELL: value('SGE_CELL') ?? 'default' },
  };
}
