import { describe, expect, it } from 'vitest';
import { parseQstatListing } from './parse-qstat-xml.js';
import { qstatStatus } from './sge-states.js';

// `qstat -xml -g d -f` of SGE 8.1.9 (trimmed), with the second host in state u after its execd died.
const XML = `<?xml version='1.0'?>
<job_info>
  <queue_info>
    <Queue-List>
      <name>all.q@sge-node2</name>
      <slots_total>4</slots_total>
      <state>u</state>
      <job_list state="running">
        <JB_job_number>7</JB_job_number>
        <state>r</state>
        <JAT_start_time>2026-12-03T15:53:51</JAT_start_time>
        <tasks>2</tasks>
      </job_list>
    </Queue-List>
    <Queue-List>
      <name>all.q@vm</name>
      <job_list state="running">
        <JB_job_number>7</JB_job_number>
        <state>r</state>
        <JAT_start_time>2026-12-03T15:53:51</JAT_start_time>
        <tasks>1</tasks>
      </job_list>
    </Queue-List>
  </queue_info>
  <job_info>
    <job_list state="pending">
      <JB_job_number>8</JB_job_number>
      <state>hqw</state>
    </job_list>
  </job_info>
</job_info>`;

describe('parseQstatListing', () => {
  it('reads running jobs inside their queue instance, pending ones after, and each instance state', () => {
    const listing = parseQstatListing(XML);
    expect(listing.entries.map((e) => [e.job, e.task, e.state, e.queue])).toEqual([
      ['7', 2, 'r', 'all.q@sge-node2'],
      ['7', 1, 'r', 'all.q@vm'],
      ['8', undefined, 'hqw', undefined],
    ]);
    expect([...listing.queueStates]).toEqual([
      ['all.q@sge-node2', 'u'],
      ['all.q@vm', ''],
    ]);
  });

  it('reads 200,000 pending array tasks, a biobank run (the bench overflowed the stack with a spread there)', () => {
    const task = (i: number): string =>
      `<job_list state="pending"><JB_job_number>${9 + Math.floor(i / 10_000)}</JB_job_number><state>qw</state><tasks>${(i % 10_000) + 1}</tasks></job_list>`;
    const pending = Array.from({ length: 200_000 }, (_, i) => task(i)).join('\n');
    const listing = parseQstatListing(
      XML.replace('</job_info>\n</job_info>', `${pending}</job_info>\n</job_info>`),
    );
    expect(listing.entries).toHaveLength(200_003);
    expect(listing.entries.at(-1)).toMatchObject({ job: '28', task: 10_000, state: 'qw' });
  });
});

describe('qstatStatus', () => {
  const [lost, fine, waiting] = parseQstatListing(XML).entries;
  it('reads a task running on a host in state u as a node failure', () => {
    expect(qstatStatus(lost!, () => false, 'u')).toMatchObject({
      state: 'error',
      cause: 'scheduler',
      host: 'sge-node2',
      reason: 'node failure: execution host sge-node2 stopped answering (all.q@sge-node2 in state u)',
    });
    expect(qstatStatus(fine!, () => false, '')).toMatchObject({ state: 'running', host: 'vm' });
  });

  it('reads hqw as held only when a hold (not a dependency) is behind it', () => {
    expect(qstatStatus(waiting!, () => false)).toEqual({ state: 'queued' });
    expect(qstatStatus(waiting!, () => true)).toEqual({ state: 'held' });
  });
});
