import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommand } from './build-command.js';
import {
  BUNDLED_LIBRARY_DIR,
  checkLibraryJobs,
  defaultLibraryDirs,
  libraryJob,
  libraryJobDefinition,
  loadLibrary,
} from './library.js';
import { HOSTILE_NAME, pwnedFiles, runTask, tempDir } from './test-fixture.js';

function libraryDir(files: Record<string, unknown>): string {
  const dir = tempDir('library');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const ECHO = {
  id: 'test/echo',
  name: 'Echo',
  command: ['printf', '[%s]\\n', '{s1}', '{f1}', '{dir:f1}', '{n1}', '{flag}', '{extra}', 'end'],
  args: [
    { type: 'FILE', name: 'f1', multiple: true },
    { type: 'STRING', name: 's1', value: '' },
    { type: 'NUMERIC', name: 'n1', value: 1 },
    { type: 'LOGICAL', name: 'flag', value: false },
  ],
};

describe('loadLibrary', () => {
  it('loads the bundled library', () => {
    const ids = loadLibrary([BUNDLED_LIBRARY_DIR]).map((job) => job.id);
    expect(ids).toEqual([
      'atlas/region-stats',
      'atlas/to-subject',
      'connectome/tck2connectome',
      'dicom/dcm2niix',
      'diffusion/dti-fa',
      'diffusion/dwi-mask',
      'diffusion/fod',
      'diffusion/gradient-check',
      'diffusion/preprocess',
      'image/brain-mask',
      'image/smooth',
      'registration/apply-transform',
      'registration/linear',
      'registration/nonlinear',
      'registration/population-template',
      'segmentation/patchwork-apply',
      'segmentation/patchwork-train',
      'tractography/tckgen',
      'tracts/cohort-table',
      'tracts/profile',
      'tracts/stats',
      'tracts/tensor-tracking',
    ]);
    expect(defaultLibraryDirs('/home/u/.cohort/library')).toEqual([
      BUNDLED_LIBRARY_DIR,
      '/home/u/.cohort/library',
    ]);
  });

  it('documents every bundled job: what it does, the tool and version, every argument, in docs/library.md', () => {
    const guide = readFileSync(join(BUNDLED_LIBRARY_DIR, '..', 'docs', 'library.md'), 'utf8');
    for (const job of loadLibrary([BUNDLED_LIBRARY_DIR])) {
      expect(job.description.length, job.id).toBeGreaterThan(80);
      expect(job.tool, job.id).toMatch(/\d+\.\d+/);
      expect(Object.keys(job.help).sort(), job.id).toEqual(job.args.map((arg) => arg.name).sort());
      expect(guide, job.id).toContain(`\`${job.id}\``);
    }
  });

  it('resolves {lib:NAME} to the helper beside the library file, and names a missing one', () => {
    const dir = libraryDir({
      'tools/run.json': { id: 'a/run', name: 'Run', command: ['bash', '{lib:run.sh}', '{lib:gone.sh}'] },
      'tools/run.sh': 'echo hi',
    });
    expect(() => loadLibrary([dir])).toThrow(`there is no file ${join(dir, 'tools', 'gone.sh')}`);
    writeFileSync(join(dir, 'tools', 'gone.sh'), '');
    expect(loadLibrary([dir])[0]?.commands).toEqual([
      ['bash', join(dir, 'tools', 'run.sh'), join(dir, 'tools', 'gone.sh')],
    ]);
  });

  it('reads subfolders, skips missing folders and fills template defaults', () => {
    const dir = libraryDir({ 'sub/echo.json': ECHO });
    const [job] = loadLibrary([dir, join(dir, 'missing')]);
    expect(job).toMatchObject({
      id: 'test/echo',
      description: '',
      requires: [],
      file: join(dir, 'sub/echo.json'),
    });
    expect(job?.args[0]).toEqual({
      type: 'FILE',
      name: 'f1',
      multiple: true,
      patterns: [],
      ref: { kind: 'current' },
    });
    expect(job?.commands).toEqual([ECHO.command]);
  });

  it('names each bad file and its problem', () => {
    const dir = libraryDir({
      'syntax.json': '{ "id": ',
      'placeholder.json': { ...ECHO, id: 'a/placeholder', command: ['mrinfo', '{f2}'] },
      'inside.json': { ...ECHO, id: 'a/inside', command: ['mrinfo', '-size={f1}'] },
      'program.json': { ...ECHO, id: 'a/program', command: ['{f1}'] },
      'both.json': { ...ECHO, id: 'a/both', commands: [['true']] },
      'duplicate.json': ECHO,
      'echo.json': ECHO,
      'unknown.json': { ...ECHO, id: 'a/unknown', comand: [] },
      'help.json': { ...ECHO, id: 'a/help', help: { f9: 'no such argument' } },
      'lib.json': { ...ECHO, id: 'a/lib', command: ['bash', '{lib:../x.sh}'] },
    });
    let message = '';
    try {
      loadLibrary([dir]);
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    const line = (file: string): string =>
      lines.find((l) => l.startsWith(`library file ${join(dir, file)}:`)) ?? '';
    expect(line('syntax.json')).toContain('not valid JSON');
    expect(line('placeholder.json')).toContain(
      "unknown placeholder '{f2}' — use one of {f1}, {s1}, {n1}, {flag}",
    );
    expect(line('inside.json')).toContain('placeholders must be whole words');
    expect(line('program.json')).toContain(
      "command 1 starts with '{f1}' — the first word must be the program",
    );
    expect(line('both.json')).toContain('give either "command"');
    expect(line('unknown.json')).toContain("Unrecognized key(s) in object: 'comand'");
    expect(line('help.json')).toContain("help: 'f9' is no argument of this job");
    expect(line('lib.json')).toContain('{lib:NAME} needs a plain file name');
    expect(line('duplicate.json') + line('echo.json')).toContain("id 'test/echo' is also declared by");
  });
});

describe('libraryJob', () => {
  it('finds a job by id, or lists the known ones', () => {
    const jobs = loadLibrary([BUNDLED_LIBRARY_DIR]);
    expect(libraryJob('image/smooth', jobs).requires).toEqual(['mrfilter']);
    expect(() => libraryJob('image/blur', jobs)).toThrow("No predefined job 'image/blur'");
    expect(libraryJobDefinition(libraryJob('image/smooth', jobs))).toMatchObject({
      name: 'Gaussian smoothing (MRtrix3)',
      library: 'image/smooth',
    });
    expect(libraryJobDefinition(libraryJob('image/smooth', jobs)).level).toBeUndefined();
  });

  it('gives group-level jobs their level, and refuses them in a batch without it', () => {
    const jobs = loadLibrary([BUNDLED_LIBRARY_DIR]);
    const template = libraryJobDefinition(libraryJob('registration/population-template', jobs));
    expect(template.level).toBe('group');
    expect(() => checkLibraryJobs([template], jobs)).not.toThrow();
    expect(() => checkLibraryJobs([{ ...template, level: undefined }], jobs)).toThrow(
      `Job '${template.name}' uses the group-level library job 'registration/population-template' without "level": "group"`,
    );
  });
});

describe('library commands', () => {
  const dir = libraryDir({
    'echo.json': ECHO,
    'two.json': {
      id: 'test/two',
      name: 'Two',
      commands: [['sh', '-c', 'echo one'], ['false'], ['echo', 'three']],
    },
    'needs.json': { id: 'test/needs', name: 'Needs', command: ['true'], requires: ['no-such-program-xyz'] },
    'python.json': {
      id: 'test/python',
      name: 'Python',
      command: ['{python}', '-c', 'import sys; print(sys.executable)'],
    },
  });
  const library = loadLibrary([dir]);
  const files = ['1', '2'].map((n) => `/data/${HOSTILE_NAME}/${HOSTILE_NAME} ${n}.nii`);

  it('expand placeholders as whole words: several files, several words; values never parsed', async () => {
    const job = {
      ...libraryJobDefinition(libraryJob('test/echo', library)),
      extraArgs: ['x y', '$(touch pwned)'],
    };
    const workDir = tempDir('echo');
    const values = { f1: files, s1: `it's $(touch pwned)`, n1: 0.5, flag: true };
    const result = await runTask(buildCommand(job, values, workDir, { library }), workDir);
    expect(result.code).toBe(0);
    const words = [
      values.s1,
      ...files,
      `/data/${HOSTILE_NAME}`,
      '0.5',
      'true',
      'x y',
      '$(touch pwned)',
      'end',
    ];
    expect(result.stdout).toBe(words.map((w) => `[${w}]\n`).join(''));
    expect(result.stderr).toMatch(/^\+ printf /);
    expect(pwnedFiles(workDir)).toEqual([]);
  });

  it('run {python} as the queue interpreter, /usr/bin/python3 unless the queue names another', async () => {
    const job = libraryJobDefinition(libraryJob('test/python', library));
    const workDir = tempDir('python');
    expect(buildCommand(job, {}, workDir, { library }).argv).toContain('/usr/bin/python3');
    const command = buildCommand(job, {}, workDir, { library, python: '/usr/bin/python3.11' });
    expect(command.argv).toContain('/usr/bin/python3.11');
    const result = await runTask(command, workDir);
    expect(result.stdout.trim()).toBe('/usr/bin/python3.11');
  });

  it('run commands in order and stop at the first failure', async () => {
    const job = libraryJobDefinition(libraryJob('test/two', library));
    const workDir = tempDir('two');
    const result = await runTask(buildCommand(job, {}, workDir, { library }), workDir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('one\n');
    expect(result.stderr).toContain('cohort: false failed with exit status 1');
  });

  it('check required programs first', async () => {
    const job = { ...libraryJobDefinition(libraryJob('test/needs', library)), environment: 'export X=1' };
    const workDir = tempDir('needs');
    const result = await runTask(buildCommand(job, {}, workDir, { library }), workDir);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("needs the program 'no-such-program-xyz', which is not on PATH");
  });

  it('refuse a job that lacks a declared argument', () => {
    const job = { ...libraryJobDefinition(libraryJob('test/echo', library)), args: [] };
    expect(() => buildCommand(job, {}, '/w', { library })).toThrow("lacks the FILE argument 'f1'");
  });
});
