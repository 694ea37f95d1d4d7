import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open-database.js';
import type { Project } from '../catalog/project-store.js';
import type { JobDefinition } from '../jobs/job-definition.js';
import { placeJob } from './place-job.js';
import {
  defaultQueueName,
  findQueue,
  listQueues,
  removeQueue,
  saveQueue,
  setDefaultQueue,
} from './queue-store.js';

function twoProjects(): { db: Db; a: Project; b: Project } {
  const db = openDatabase(':memory:', { busyTimeoutMs: 1000 });
  const make = (name: string): Project => {
    const id = Number(
      db
        .prepare(`INSERT INTO projects (name, root, layout, created_at) VALUES (?, '/tmp', 'folders', 0)`)
        .run(name).lastInsertRowid,
    );
    return { id, name, root: '/tmp', layout: 'folders', analysisFolder: 'analysis' };
  };
  return { db, a: make('a'), b: make('b') };
}

const job = (resources?: JobDefinition['options']): JobDefinition => ({
  name: 'Mask',
  language: 'bash',
  script: 'true',
  args: [],
  ...(resources === undefined ? {} : { options: resources }),
});

describe('queues', () => {
  it('keeps a project queue to its project, a global one for all, and the project one wins by name', () => {
    const { db, a, b } = twoProjects();
    saveQueue(db, a, {
      name: 'cpu',
      engine: 'slurm',
      target: 'debug',
      defaults: { cpus: 2 },
      schedulerArgs: [],
    });
    saveQueue(
      db,
      a,
      { name: 'gpu', engine: 'slurm', target: 'gpu', defaults: {}, schedulerArgs: ['--gres=gpu:1'] },
      true,
    );
    saveQueue(db, b, { name: 'gpu', engine: 'sge', target: 'gpu.q', defaults: {}, schedulerArgs: [] });
    expect(listQueues(db, a).map((q) => q.name)).toEqual(['cpu', 'gpu', 'local']);
    expect(findQueue(db, a, 'gpu')).toMatchObject({
      engine: 'slurm',
      global: true,
      schedulerArgs: ['--gres=gpu:1'],
    });
    expect(findQueue(db, b, 'gpu')).toMatchObject({ engine: 'sge', target: 'gpu.q', global: false });
    expect(() => findQueue(db, b, 'cpu')).toThrow(/No queue named 'cpu' in project 'b'/);
  });

  it('replaces a queue saved again, and removing the default falls back to local', () => {
    const { db, a } = twoProjects();
    saveQueue(db, a, { name: 'cpu', engine: 'slurm', defaults: { cpus: 2 }, schedulerArgs: [] });
    saveQueue(db, a, { name: 'cpu', engine: 'sge', defaults: { cpus: 4 }, schedulerArgs: [] });
    expect(listQueues(db, a).filter((q) => q.name === 'cpu')).toHaveLength(1);
    setDefaultQueue(db, a, 'cpu');
    expect(defaultQueueName(db, a)).toBe('cpu');
    removeQueue(db, a, 'cpu');
    expect(defaultQueueName(db, a)).toBe('local');
    expect(() => removeQueue(db, a, 'cpu')).toThrow(/No queue named 'cpu'/);
  });

  it('rejects bad names, the built-in name and unknown defaults with the fix', () => {
    const { db, a } = twoProjects();
    const base = { engine: 'slurm' as const, defaults: {}, schedulerArgs: [] };
    expect(() => saveQueue(db, a, { ...base, name: '../x' })).toThrow(/Invalid queue name/);
    expect(() => saveQueue(db, a, { ...base, name: 'local' })).toThrow(/built in/);
    expect(() => setDefaultQueue(db, a, 'nowhere')).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/cohort queue add/) as unknown }),
    );
  });

  it('places a job: its own queue, else the run queue, else the project default; its resources over the queue defaults', () => {
    const { db, a } = twoProjects();
    saveQueue(db, a, {
      name: 'cpu',
      engine: 'slurm',
      target: 'debug',
      defaults: { cpus: 2, memoryMB: 4000, timeMinutes: 60 },
      schedulerArgs: ['--qos=normal'],
    });
    saveQueue(db, a, { name: 'grid', engine: 'sge', target: 'all.q', defaults: {}, schedulerArgs: [] });
    expect(placeJob(db, a, job(), undefined)).toMatchObject({
      queue: 'local',
      engine: 'local',
      resources: {},
    });
    setDefaultQueue(db, a, 'grid');
    expect(placeJob(db, a, job(), undefined)).toMatchObject({
      queue: 'grid',
      engine: 'sge',
      resources: { queue: 'all.q' },
    });
    expect(placeJob(db, a, job(), 'cpu')).toEqual({
      queue: 'cpu',
      engine: 'slurm',
      resources: { cpus: 2, memoryMB: 4000, timeMinutes: 60, queue: 'debug' },
      schedulerArgs: ['--qos=normal'],
      python: '/usr/bin/python3',
    });
    const own = job({ resources: { queue: 'cpu', cpus: 8 } });
    expect(placeJob(db, a, own, 'grid').resources).toMatchObject({ cpus: 8, memoryMB: 4000, queue: 'debug' });
    expect(() => placeJob(db, a, job({ resources: { queue: 'gpu' } }), undefined)).toThrow(
      /Job 'Mask' asks for queue 'gpu', which project 'a' does not have/,
    );
  });

  it("keeps a queue's Python interpreter and places Python jobs with it (default /usr/bin/python3)", () => {
    const { db, a } = twoProjects();
    saveQueue(db, a, {
      name: 'venv',
      engine: 'local',
      defaults: {},
      schedulerArgs: [],
      python: '/opt/v/bin/python3',
    });
    expect(placeJob(db, a, job(), undefined).python).toBe('/usr/bin/python3');
    expect(placeJob(db, a, job(), 'venv').python).toBe('/opt/v/bin/python3');
    expect(() =>
      saveQueue(db, a, { name: 'bad', engine: 'local', defaults: {}, schedulerArgs: [], python: 'py thon' }),
    ).toThrow(/Invalid Python interpreter/);
  });
});
