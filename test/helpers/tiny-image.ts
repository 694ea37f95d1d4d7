import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The local image the container tests run: bash and its libraries, nothing else (no registry needed). */
export const TINY_IMAGE = 'localhost/cohort-test-tiny:1';

export interface ContainerSetup {
  /** Extra podman words this host needs (global, after `run`), or why containers cannot run here. */
  readonly globalArgs?: readonly string[];
  readonly runArgs?: readonly string[];
  readonly skip?: string;
}

/**
 * Builds {@link TINY_IMAGE} with `podman import` from a tar of a folder holding /bin/bash and the
 * libraries ldd names, then tries it. Some hosts need another OCI runtime or lower rlimits (this CI
 * machine: cgroups in hybrid mode, which crun refuses, and no CAP_SYS_RESOURCE to raise rlimits): those
 * words are returned for the job's isolation. `skip` says why only where podman truly cannot run.
 */
/** `workDir`: an empty folder for the image's root and tar (the caller removes it). */
export function prepareTinyImage(workDir: string): ContainerSetup {
  if (spawnSync('podman', ['--version']).status !== 0) return { skip: 'podman is not installed' };
  const root = join(workDir, 'root');
  const files = ['/bin/bash', ...libraries('/bin/bash')];
  for (const file of files) {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    copyFileSync(realpathSync(file), join(root, file));
  }
  mkdirSync(join(root, 'tmp'));
  const tar = join(root, '..', 'root.tar');
  run('tar', ['-C', root, '-cf', tar, '.']);
  const imported = spawnSync('podman', ['import', tar, TINY_IMAGE], { encoding: 'utf8' });
  if (imported.status !== 0) return { skip: `podman import failed: ${imported.stderr.trim()}` };
  const attempts: ContainerSetup[] = [
    {},
    {
      globalArgs: ['--runtime', 'runc'],
      runArgs: ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'],
    },
  ];
  const errors: string[] = [];
  for (const a of attempts) {
    const probe = spawnSync(
      'podman',
      [
        ...(a.globalArgs ?? []),
        'run',
        '--rm',
        '--pull=never',
        '--network=none',
        ...(a.runArgs ?? []),
        TINY_IMAGE,
        '/bin/bash',
        '-c',
        'echo ok',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (probe.status === 0 && probe.stdout.trim() === 'ok') return a;
    errors.push(probe.stderr.trim());
  }
  return { skip: `podman cannot start a container here: ${errors.join(' / ')}` };
}

function libraries(program: string): string[] {
  const out = run('ldd', [program]);
  return [...out.matchAll(/(\/\S+)/g)].map((m) => m[1] ?? '').filter((p) => p !== '');
}

function run(program: string, args: readonly string[]): string {
  const r = spawnSync(program, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
