import type { Dependency, TaskSpec } from '../executor.js';

/** What a task waits for: an executor id from an earlier call, or a task earlier in this call. */
export type PlannedTarget = { readonly external: string } | { readonly task: number };

export interface PlannedDependency {
  readonly kind: Dependency['kind'];
  readonly target: PlannedTarget;
}

/** One scheduler job: a single task, or an array whose element i runs task `members[i]`. */
export interface PlannedJob {
  /** Indexes into the submit call's tasks. */
  readonly members: readonly number[];
  /** What every element waits for. */
  readonly after: readonly PlannedDependency[];
  /** Element i waits for element i of this earlier job (an index into the plan) to succeed: `aftercorr`. */
  readonly correspondsTo?: number;
}

/**
 * Groups one submit call's tasks into as few scheduler jobs as their dependencies allow, in an order in
 * which every job comes after those it depends on. Tasks with the same `arrayKey`, resources and
 * scheduler words become one array (at most `maxArray` elements each) when all of them wait for the
 * same things, or when each waits for the task at its own position of another array (a chain over many
 * subjects: `aftercorr`); tasks without `arrayKey` are grouped only when they have no dependencies.
 * Anything else is submitted as single jobs.
 *
 * @example
 * // 100 subjects x 10 chained steps, arrayKey = the step: 10 arrays of 100, each aftercorr the one before
 * planSubmission(tasks, 1000).length // 10
 */
export function planSubmission(specs: readonly TaskSpec[], maxArray: number): PlannedJob[] {
  const deps = resolveTargets(specs);
  let groups = initialGroups(specs, deps, maxArray);
  for (;;) {
    const where = locate(groups, specs.length);
    const next = groups.flatMap((g) =>
      g.length > 1 && shape(g, deps, groups, where) === undefined ? g.map((m) => [m]) : [g],
    );
    if (next.length === groups.length) break;
    groups = next;
  }
  return ordered(groups, deps, specs.length) ?? singles(deps);
}

function resolveTargets(specs: readonly TaskSpec[]): PlannedDependency[][] {
  const earlier = new Map<string, number>();
  return specs.map((spec, i) => {
    const after = spec.after.map(({ id, kind }): PlannedDependency => {
      const task = earlier.get(id);
      return { kind, target: task === undefined ? { external: id } : { task } };
    });
    earlier.set(spec.taskId, i);
    return after;
  });
}

function initialGroups(
  specs: readonly TaskSpec[],
  deps: PlannedDependency[][],
  maxArray: number,
): number[][] {
  const byKey = new Map<string, number[]>();
  const groups: number[][] = [];
  specs.forEach((spec, i) => {
    const array = spec.arrayKey ?? (deps[i]!.length === 0 ? null : undefined);
    if (array === undefined) return void groups.push([i]);
    const key = JSON.stringify([array, canonical(spec.resources), spec.schedulerArgs ?? []]);
    let group = byKey.get(key);
    if (group === undefined || group.length >= maxArray) {
      group = [];
      byKey.set(key, group);
      groups.push(group);
    }
    group.push(i);
  });
  return groups;
}

interface Where {
  readonly group: number[];
  readonly position: number[];
}

function locate(groups: readonly number[][], count: number): Where {
  const group = new Array<number>(count).fill(-1);
  const position = new Array<number>(count).fill(-1);
  groups.forEach((members, g) =>
    members.forEach((m, p) => {
      group[m] = g;
      position[m] = p;
    }),
  );
  return { group, position };
}

/** How an array's elements depend: all alike, element-wise on another array (its index), or neither. */
function shape(
  members: readonly number[],
  deps: PlannedDependency[][],
  groups: readonly number[][],
  where: Where,
): 'common' | number | undefined {
  const signature = (m: number): string => deps[m]!.map(key).sort().join(' ');
  const first = signature(members[0]!);
  if (members.every((m) => signature(m) === first)) return 'common';
  const on = (m: number): number | undefined => {
    const only = deps[m]!.length === 1 ? deps[m]![0] : undefined;
    return only?.kind === 'ok' && 'task' in only.target ? only.target.task : undefined;
  };
  const target = on(members[0]!);
  if (target === undefined) return undefined;
  const other = where.group[target]!;
  const corresponds = members.every((m, i) => {
    const t = on(m);
    return t !== undefined && where.group[t] === other && where.position[t] === i;
  });
  return corresponds && groups[other]!.length === members.length ? other : undefined;
}

/** Groups in dependency order (ties: the earlier first task first); undefined when they form a cycle. */
function ordered(
  groups: readonly number[][],
  deps: PlannedDependency[][],
  count: number,
): PlannedJob[] | undefined {
  const where = locate(groups, count);
  const needs = groups.map((members) => {
    const set = new Set<number>();
    for (const m of members)
      for (const d of deps[m]!) if ('task' in d.target) set.add(where.group[d.target.task]!);
    return set;
  });
  const planIndex = new Map<number, number>();
  const jobs: PlannedJob[] = [];
  const waiting = new Set(groups.keys());
  while (waiting.size > 0) {
    const ready = [...waiting].find((g) => [...needs[g]!].every((n) => planIndex.has(n)));
    if (ready === undefined) return undefined;
    waiting.delete(ready);
    const members = groups[ready]!;
    const kind = members.length > 1 ? shape(members, deps, groups, where) : 'common';
    planIndex.set(ready, jobs.length);
    jobs.push(
      typeof kind === 'number'
        ? { members, after: [], correspondsTo: planIndex.get(kind)! }
        : { members, after: deps[members[0]!]! },
    );
  }
  return jobs;
}

function singles(deps: PlannedDependency[][]): PlannedJob[] {
  return deps.map((after, i) => ({ members: [i], after }));
}

function key(d: PlannedDependency): string {
  return `${d.kind}:${'task' in d.target ? `#${d.target.task}` : d.target.external}`;
}

function canonical(value: object): string {
  return JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}
