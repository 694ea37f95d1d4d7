import { describe, expect, it } from 'vitest';
import type { GridTask, JobDefinition } from '../../web/src/api/api-types.js';
import { EMPTY_SELECTION, itemsOf, selectorTerms, type SelectedItem } from '../../web/src/app/selection.js';
import { cleanBatch, syncScriptRows, unusedRows, withLevel } from '../../web/src/composer/batch-draft.js';
import { applyTaskEvents, countTasks, visibleTasks, type GridModel } from '../../web/src/grid/grid-model.js';
import { clickSelection } from '../../web/src/subjects/row-selection.js';

const items: SelectedItem[] = ['P001', 'P002', 'P003', 'P004'].map((pid) => ({ key: pid, pid }));
const at = (i: number): SelectedItem | undefined => items[i];

function task(id: number, state: GridTask['state'], item = `P00${id}#1`): GridTask {
  return {
    id,
    runId: 1,
    project: 'demo',
    item,
    subjectId: id,
    studyId: id,
    jobIndex: 0,
    jobName: 'job',
    state,
    executor: 'local',
    executorId: null,
    exitCode: null,
    error: null,
    host: null,
    owner: 'alice',
    queuedAt: null,
    startedAt: null,
    endedAt: null,
    updatedAt: id,
  };
}

/** The UI's pure logic, without a browser: selection, live grid merging, the composer's draft. */
describe('web UI logic', () => {
  it('selects rows by click, Ctrl-click and Shift-click', () => {
    const one = clickSelection(EMPTY_SELECTION, 'subject', 'replace', 1, null, at);
    expect([...one.items.keys()]).toEqual(['P002']);
    const range = clickSelection(one, 'subject', 'range', 3, 1, at);
    expect([...range.items.keys()]).toEqual(['P002', 'P003', 'P004']);
    const toggled = clickSelection(range, 'subject', 'toggle', 2, 1, at);
    expect([...toggled.items.keys()]).toEqual(['P002', 'P004']);
    // Another level starts afresh.
    expect(clickSelection(toggled, 'study', 'toggle', 0, null, at).items.size).toBe(1);
  });

  it('turns a selection into selector terms that mean the ids literally', () => {
    const selection = {
      level: 'study' as const,
      items: new Map([['A_1#2020*', { key: 'A_1#2020*', pid: 'A_1', sid: '2020*' }]]),
    };
    expect(selectorTerms(selection)).toEqual(['A\\_1#2020\\*']);
    expect(itemsOf(EMPTY_SELECTION, 'JOB:e')).toEqual({ filter: 'JOB:e' });
    expect(itemsOf(EMPTY_SELECTION, '  ')).toEqual({});
  });

  it('hides tasks that finish, keeps failed ones, and counts', () => {
    let model: GridModel = { tasks: new Map([1, 2, 3].map((id) => [id, task(id, 'running')])), doneCount: 4 };
    model = applyTaskEvents(
      model,
      [
        { project: 'demo', task: task(1, 'done'), previous: 'running' },
        { project: 'demo', task: task(2, 'error'), previous: 'running' },
        { project: 'demo', task: task(4, 'queued'), previous: null },
      ],
      false,
    );
    expect([...model.tasks.keys()].sort()).toEqual([2, 3, 4]);
    expect(countTasks(model)).toEqual({ running: 1, queued: 1, suspended: 0, error: 1, done: 5 });
    expect(visibleTasks(model, 'p003', 'id', true).map((t) => t.id)).toEqual([3]);
    expect(visibleTasks(model, '', 'state', false).map((t) => t.state)).toEqual([
      'error',
      'queued',
      'running',
    ]);
    expect(
      applyTaskEvents(model, [{ project: 'demo', task: task(3, 'done'), previous: null }], true).tasks.has(3),
    ).toBe(true);
  });

  it('adds rows for new script variables, marks unused ones, cleans the batch', () => {
    const job: JobDefinition = { name: 'j', language: 'bash', script: 'x $f1 $o1', args: [] };
    const synced = syncScriptRows(
      job,
      [
        { name: 'f1', type: 'FILE' },
        { name: 'o1', type: 'OUT' },
      ],
      'study',
    );
    expect(synced.args).toEqual([
      { type: 'FILE', name: 'f1', patterns: [], ref: { kind: 'current' } },
      { type: 'OUT', name: 'o1', path: '', ref: { kind: 'current' } },
    ]);
    expect(syncScriptRows(synced, [{ name: 'f1', type: 'FILE' }], 'study')).toBe(synced);
    // Unused: what the script no longer mentions; free names it does use ($l1, $opt1, ${thr}) are not.
    const edited = {
      ...synced,
      script: 'x $f1 $l1 ${opt1} ${thr}',
      args: [
        ...synced.args,
        { type: 'LOGICAL', name: 'l1', value: true },
        { type: 'OPTION', name: 'opt1', value: 'a', choices: ['a', 'b'] },
        { type: 'NUMERIC', name: 'thr', value: 0.5 },
        { type: 'STRING', name: 'label', value: '' },
      ],
    } satisfies JobDefinition;
    expect([...unusedRows(edited, [{ name: 'f1', type: 'FILE' }])]).toEqual(['o1', 'label']);
    const draft = withLevel(
      {
        name: 'b',
        level: 'study',
        jobs: [{ ...synced, options: { tagOnSuccess: ' ', resources: { cpus: Number.NaN, queue: 'gpu' } } }],
      },
      'subject',
    );
    expect(draft.jobs[0]?.args[0]).toMatchObject({ ref: { kind: 'latest' } });
    const clean = cleanBatch({ ...draft, queue: '', references: {} });
    expect(clean).not.toHaveProperty('queue');
    expect(clean).not.toHaveProperty('references');
    expect(clean.jobs[0]?.options).toEqual({ resources: { queue: 'gpu' } });
  });
});
