import { readFileSync } from 'node:fs';

/** What we read of `/proc/<pid>/stat`. Linux only, like the local executor. */
export interface ProcStat {
  /** One letter: R running, S sleeping, T stopped, Z zombie... */
  readonly state: string;
  /** Its process group. */
  readonly pgrp: number;
  /** Start time in clock ticks after boot, as a decimal string (with the pid, a unique name). */
  readonly startTicks: string;
}

/** Clock ticks of /proc are USER_HZ, fixed at 100 in Linux's user-space ABI. */
const TICKS_PER_SECOND = 100;

/** The process's state and start time, or undefined when there is no such process. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; everything after its last ')' is plain.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  const pgrp = Number(fields[2]);
  return state === undefined || startTicks === undefined ? undefined : { state, pgrp, startTicks };
}

/**
 * Whether the process `pid` that started at `startTicks` still exists (a zombie counts as gone: it has
 * ended and waits only to be reaped). Returns its stat when it does.
 */
export function liveProcess(pid: number, startTicks: string): ProcStat | undefined {
  const stat = readProcStat(pid);
  if (stat === undefined || stat.startTicks !== startTicks) return undefined;
  return stat.state === 'Z' || stat.state === 'X' ? undefined : stat;
}

let bootSeconds: number | undefined;

/** When this machine booted, in epoch seconds (`btime` of /proc/stat). */
export function bootTimeSeconds(): number {
  if (bootSeconds === undefined) {
    const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    bootSeconds = match?.[1] === undefined ? 0 : Number(match[1]);
  }
  return bootSeconds;
}

/** A /proc start time as epoch milliseconds. */
export function ticksToEpochMs(startTicks: string): number {
  return bootTimeSeconds() * 1000 + (Number(startTicks) * 1000) / TICKS_PER_SECOND;
}
