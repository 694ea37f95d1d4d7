import { describe, expect, it } from 'vitest';
import { isolatedArgv, type IsolationMounts } from './isolated-argv.js';

const mounts: IsolationMounts = {
  cwd: '/runs/1/task-1',
  readOnly: ["/data/P 1/S'1/t1/a.nii", '/runs/1/task-1/in.txt'],
  writable: ["/data/P 1/S'1/out $(x)"],
  envNames: ['f1', 'PATH'],
};

describe('isolatedArgv', () => {
  it('leaves a command without isolation as it is', () => {
    expect(isolatedArgv(undefined, ['/bin/true'], mounts)).toEqual(['/bin/true']);
    expect(isolatedArgv({ kind: 'none' }, ['/bin/true'], mounts)).toEqual(['/bin/true']);
  });

  it('sandbox: root read-only, the task folder and outputs writable, inputs inside them read-only, no network', () => {
    const argv = isolatedArgv({ kind: 'sandbox' }, ['/bin/bash', 'job.sh'], mounts);
    expect(argv.slice(0, 9)).toEqual([
      'bwrap',
      '--die-with-parent',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
    ]);
    expect(argv).toContain('--unshare-net');
    const text = JSON.stringify(argv);
    // Every path is one argument of its own, quotes and $() included.
    expect(text).toContain(
      JSON.stringify(['--bind', "/data/P 1/S'1/out $(x)", "/data/P 1/S'1/out $(x)"]).slice(1, -1),
    );
    expect(text).toContain(JSON.stringify(['--bind', '/runs/1/task-1', '/runs/1/task-1']).slice(1, -1));
    expect(text).toContain(
      JSON.stringify(['--ro-bind', '/runs/1/task-1/in.txt', '/runs/1/task-1/in.txt']).slice(1, -1),
    );
    expect(argv.slice(-4)).toEqual(['/runs/1/task-1', '--', '/bin/bash', 'job.sh']);
    expect(isolatedArgv({ kind: 'sandbox', network: true }, ['x'], mounts)).not.toContain('--unshare-net');
  });

  it('podman: local image only, read-only image, mounts by path, the environment by name', () => {
    const argv = isolatedArgv(
      {
        kind: 'podman',
        image: 'localhost/fsl:6',
        globalArgs: ['--runtime', 'runc'],
        runArgs: ['--ulimit', 'nofile=9:9'],
      },
      ['/bin/bash', 'job.sh'],
      mounts,
    );
    expect(argv.slice(0, 8)).toEqual([
      'podman',
      '--runtime',
      'runc',
      'run',
      '--rm',
      '--pull=never',
      '--read-only',
      '--network=none',
    ]);
    expect(argv).toContain(
      "--mount=type=bind,source=/data/P 1/S'1/t1/a.nii,destination=/data/P 1/S'1/t1/a.nii,ro=true",
    );
    expect(argv).toContain(
      "--mount=type=bind,source=/data/P 1/S'1/out $(x),destination=/data/P 1/S'1/out $(x)",
    );
    expect(argv.join(' ')).toContain(
      '--env f1 --env PATH --ulimit nofile=9:9 -- localhost/fsl:6 /bin/bash job.sh',
    );
  });

  it('apptainer: contained, binds read-only and read-write, no network unless asked', () => {
    const argv = isolatedArgv({ kind: 'apptainer', image: '/images/fsl.sif' }, ['run.sh'], mounts);
    expect(argv.slice(0, 7)).toEqual([
      'apptainer',
      'exec',
      '--contain',
      '--no-home',
      '--net',
      '--network',
      'none',
    ]);
    expect(argv).toContain("/data/P 1/S'1/t1/a.nii:/data/P 1/S'1/t1/a.nii:ro");
    expect(argv.slice(-2)).toEqual(['/images/fsl.sif', 'run.sh']);
  });

  it('refuses a path a container mount cannot carry, naming it and the way out', () => {
    const bad = { ...mounts, writable: ['/data/a,b'] };
    expect(() => isolatedArgv({ kind: 'podman', image: 'x' }, ['y'], bad)).toThrow(
      /"\/data\/a,b" cannot be mounted/,
    );
    // The sandbox passes paths as arguments of their own: a comma is fine there.
    expect(isolatedArgv({ kind: 'sandbox' }, ['y'], bad)).toContain('/data/a,b');
  });
});
