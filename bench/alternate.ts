import { median, ms } from './measure.js';
import type { TreeTime } from './time-tree.js';

/** Each repeat's times of Cohort's command and of its peer, and their medians. */
export interface Alternated {
  readonly ours: TreeTime[];
  readonly peer: TreeTime[];
  /** Ours over the peer's, within each repeat. */
  readonly ratios: number[];
  median(of: 'ours' | 'peer', what: 'ms' | 'cpuMs'): number;
}

/**
 * Times Cohort's command, then its peer's, in each of `repeats` rounds: alternated, so a drift in the
 * machine's state (the load, the page cache, ext4's recently freed inodes) touches both alike, and the
 * ratio within a round compares like with like. Logs each round to stderr; `also` runs after the pair.
 */
export function alternate(
  repeats: number,
  names: readonly [ours: string, peer: string],
  ours: (round: number) => TreeTime,
  peer: (round: number) => TreeTime,
  also: (round: number) => string = () => '',
): Alternated {
  const result = { ours: [] as TreeTime[], peer: [] as TreeTime[], ratios: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    const a = ours(r);
    const b = peer(r);
    result.ours.push(a);
    result.peer.push(b);
    result.ratios.push(a.ms / b.ms);
    const extra = also(r);
    console.error(
      `repeat ${r + 1}: ${names[0]} ${ms(a.ms)} (CPU ${ms(a.cpuMs)}), ${names[1]} ${ms(b.ms)} (CPU ${ms(b.cpuMs)})` +
        (extra === '' ? '' : `, ${extra}`),
    );
  }
  return { ...result, median: (of, what) => median(result[of].map((t) => t[what])) };
}
