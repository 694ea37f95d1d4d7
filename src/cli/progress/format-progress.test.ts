import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, secondsLeft, taskRate } from './format-progress.js';
import { formatIndexProgress } from './index-progress.js';

describe('formatProgress', () => {
  const snapshot = {
    counts: { done: 10, error: 2, running: 4, queued: 24 },
    endedSinceStart: 12,
    elapsedMs: 4000,
  };

  it('counts tasks per state, the rate since the start and the time left at that rate', () => {
    expect(taskRate(snapshot)).toBe(3);
    expect(secondsLeft(snapshot)).toBeCloseTo(28 / 3);
    expect(formatProgress(snapshot)).toBe(
      '12/40 ended · 24 queued · 4 running · 2 error · 3.0 tasks/s · 9s left · 4s elapsed',
    );
  });

  it('shows no rate or time left before the first task ended', () => {
    const line = formatProgress({ counts: { pending: 3 }, endedSinceStart: 0, elapsedMs: 500 });
    expect(line).toBe('0/3 ended · 3 pending · - tasks/s · 1s elapsed');
  });

  it('counts only tasks ended since the start in the rate (a resumed run had some before)', () => {
    const s = { counts: { done: 90, running: 10 }, endedSinceStart: 5, elapsedMs: 10_000 };
    expect(taskRate(s)).toBe(0.5);
    expect(secondsLeft(s)).toBe(20);
  });

  it('cuts the line to the terminal width so it never wraps', () => {
    const line = formatProgress(snapshot, 20);
    expect(line).toHaveLength(20);
    expect(line.endsWith('…')).toBe(true);
  });

  it('writes durations as seconds, minutes and hours', () => {
    expect(formatDuration(45.4)).toBe('45s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(7620)).toBe('2h07m');
  });
});

describe('formatIndexProgress', () => {
  it('counts files seen, additions and the rate; the indexer knows no total, so no time left', () => {
    const counts = {
      subjectsAdded: 3,
      studiesAdded: 9,
      filesAdded: 40,
      filesChanged: 2,
      filesUnchanged: 12_303,
      filesRemoved: 0,
      studiesRemoved: 0,
      subjectsRemoved: 0,
    };
    expect(formatIndexProgress(counts, 5000)).toBe(
      '12,345 files seen (40 added, 2 changed) · 3 subjects, 9 studies added · 2469 files/s · 5s elapsed',
    );
  });
});
