import type { Db } from '../db/open-database.js';
import type { Project } from '../catalog/project-store.js';
import { invalidInput, notFound } from '../errors/cohort-error.js';
import { formatTrigger, type AutoTrigger, type AutoTriggerKind } from './auto-triggers.js';

/**
 * An autoexec rule: when its trigger sees a study that passes its filter, it runs a saved batch on it,
 * at most once per provenance hash. Example: `{ name: 'masks', trigger: { kind: 'new' }, filter:
 * 'STAG:baseline', batch: 'qc/masks', chunk: 50, position: 1 }`.
 */
export interface AutoRule {
  readonly id: number;
  readonly name: string;
  readonly trigger: AutoTrigger;
  /** Filter-bar text every study must pass (`''`: all). */
  readonly filter: string;
  /** A saved batch: `NAME` or `FOLDER/NAME`. */
  readonly batch: string;
  /** The queue of its runs' jobs that name none; default the project's. */
  readonly queue?: string;
  /** Studies per run; 0: all of one firing in one run. */
  readonly chunk: number;
  /** Rules fire in this order (then by id): "execute after". */
  readonly position: number;
  /** Also skip a study whose declared outputs all exist already (made by hand or another tool). */
  readonly skipExistingOutputs: boolean;
  /** Trigger `new`: only studies whose id is above this one (the last study when the rule was made). */
  readonly sinceStudy: number;
  /** The user its runs belong to. */
  readonly owner: string;
  readonly createdAt: number;
}

export type NewAutoRule = Omit<AutoRule, 'id' | 'createdAt' | 'sinceStudy'> & {
  /** Trigger `new` also for the studies already there. Default false. */
  readonly includeExisting?: boolean;
};

interface RuleRow {
  id: number;
  name: string;
  trigger: AutoTriggerKind;
  trigger_tag: string | null;
  quiet_minutes: number | null;
  filter: string;
  batch: string;
  queue: string | null;
  chunk: number;
  position: number;
  skip_existing_outputs: number;
  since_study: number;
  owner: string;
  created_at: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Adds a rule (its batch, filter and queue are checked by the caller, who can load them). */
export function addRule(db: Db, project: Project, rule: NewAutoRule): AutoRule {
  if (!NAME.test(rule.name)) {
    throw invalidInput(
      `Invalid rule name '${rule.name}'.`,
      'Use 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit.',
    );
  }
  const t = rule.trigger;
  const since =
    rule.includeExisting === true
      ? 0
      : ((
          db.prepare('SELECT max(id) AS id FROM studies WHERE project_id = ?').get(project.id) as {
            id: number | null;
          }
        ).id ?? 0);
  try {
    db.prepare(
      `INSERT INTO auto_rules (project_id, name, trigger, trigger_tag, quiet_minutes, filter, batch, queue,
         chunk, position, skip_existing_outputs, since_study, owner, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      project.id,
      rule.name,
      t.kind,
      t.kind === 'tag' ? t.tag : null,
      t.kind === 'quiet' ? t.minutes : null,
      rule.filter,
      rule.batch,
      rule.queue ?? null,
      rule.chunk,
      rule.position,
      rule.skipExistingOutputs ? 1 : 0,
      since,
      rule.owner,
      Date.now(),
    );
  } catch (error) {
    if (String(error).includes('UNIQUE')) {
      throw invalidInput(
        `Project '${project.name}' has a rule named '${rule.name}' already.`,
        `Choose another name, or remove it first: cohort auto remove ${rule.name}`,
      );
    }
    throw error;
  }
  return findRule(db, project, rule.name);
}

/** The project's rules in firing order. */
export function listRules(db: Db, project: Project): AutoRule[] {
  const rows = db
    .prepare('SELECT * FROM auto_rules WHERE project_id = ? ORDER BY position, id')
    .all(project.id) as RuleRow[];
  return rows.map(toRule);
}

/** Whether the project has any rule: the cheap question every data-adding command asks first. */
export function hasRules(db: Db, project: Project): boolean {
  return db.prepare('SELECT 1 FROM auto_rules WHERE project_id = ? LIMIT 1').get(project.id) !== undefined;
}

export function findRule(db: Db, project: Project, name: string): AutoRule {
  const row = db
    .prepare('SELECT * FROM auto_rules WHERE project_id = ? AND name = ?')
    .get(project.id, name) as RuleRow | undefined;
  if (row === undefined) {
    throw notFound(`Project '${project.name}' has no rule named '${name}'.`, 'List them: cohort auto list');
  }
  return toRule(row);
}

/** Removes a rule; its log stays (with the rule's name) and what it started stays counted. */
export function removeRule(db: Db, project: Project, name: string): void {
  findRule(db, project, name);
  db.prepare('DELETE FROM auto_rules WHERE project_id = ? AND name = ?').run(project.id, name);
}

/**
 * Ids of the present studies the rule's trigger sees now: added after it (`new`), tagged (`tag`), or
 * without a file changed in the last N minutes (`quiet`, with at least one file).
 */
export function triggeredStudyIds(db: Db, project: Project, rule: AutoRule, now: number): Set<number> {
  const t = rule.trigger;
  const rows = (
    t.kind === 'new'
      ? db
          .prepare('SELECT id FROM studies WHERE project_id = ? AND present = 1 AND id > ?')
          .all(project.id, rule.sinceStudy)
      : t.kind === 'tag'
        ? db
            .prepare(
              `SELECT s.id FROM studies s JOIN study_tags t ON t.study_id = s.id
               WHERE s.project_id = ? AND s.present = 1 AND t.tag = ?`,
            )
            .all(project.id, t.tag)
        : db
            .prepare(
              `SELECT s.id FROM studies s JOIN files f ON f.study_id = s.id AND f.present = 1
               WHERE s.project_id = ? AND s.present = 1 GROUP BY s.id HAVING max(f.mtime_ms) <= ?`,
            )
            .all(project.id, now - t.minutes * 60_000)
  ) as Array<{ id: number }>;
  return new Set(rows.map((r) => r.id));
}

/** Of these provenance hashes, those something was started for already. */
export function startedHashes(db: Db, project: Project, hashes: readonly string[]): Set<string> {
  const known = new Set<string>();
  const get = db.prepare('SELECT 1 FROM auto_items WHERE project_id = ? AND hash = ?');
  for (const hash of hashes) if (get.get(project.id, hash) !== undefined) known.add(hash);
  return known;
}

/**
 * Claims items by their hash for a rule; returns the ones claimed here (another process may have been
 * first: its claim stands). Run it in the transaction that creates their run.
 */
export function claimItems(
  db: Db,
  project: Project,
  ruleId: number,
  items: ReadonlyArray<{ readonly hash: string; readonly item: string }>,
): Set<string> {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO auto_items (project_id, hash, rule_id, item, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  return new Set(
    items.filter((i) => insert.run(project.id, i.hash, ruleId, i.item, now).changes === 1).map((i) => i.hash),
  );
}

/** Notes the run that computes the claimed items. */
export function setClaimRun(db: Db, project: Project, hashes: readonly string[], runId: number): void {
  const update = db.prepare('UPDATE auto_items SET run_id = ? WHERE project_id = ? AND hash = ?');
  for (const hash of hashes) update.run(runId, project.id, hash);
}

/** One line of a rule's log: what one firing started, skipped, or why it failed. */
export interface AutoLogEntry {
  readonly id: number;
  readonly rule: string;
  readonly at: number;
  /** What fired it: `import-dicom`, `rescan`, `serve`, `auto fire`... */
  readonly source: string;
  readonly runId: number | null;
  readonly items: number;
  readonly skipped: number;
  readonly message: string;
}

export function addLogEntry(
  db: Db,
  project: Project,
  rule: AutoRule,
  entry: Omit<AutoLogEntry, 'id' | 'rule' | 'at'>,
): void {
  db.prepare(
    `INSERT INTO auto_log (project_id, rule_id, rule_name, at, source, run_id, items, skipped, message)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    project.id,
    rule.id,
    rule.name,
    Date.now(),
    entry.source,
    entry.runId,
    entry.items,
    entry.skipped,
    entry.message,
  );
}

/** The newest entries first; `rule` keeps one rule's. */
export function listLog(db: Db, project: Project, rule?: string, limit = 100): AutoLogEntry[] {
  return db
    .prepare(
      `SELECT id, rule_name AS rule, at, source, run_id AS runId, items, skipped, message FROM auto_log
       WHERE project_id = ? AND (? IS NULL OR rule_name = ?) ORDER BY id DESC LIMIT ?`,
    )
    .all(project.id, rule ?? null, rule ?? null, limit) as AutoLogEntry[];
}

function toRule(row: RuleRow): AutoRule {
  const trigger: AutoTrigger =
    row.trigger === 'tag'
      ? { kind: 'tag', tag: row.trigger_tag ?? '' }
      : row.trigger === 'quiet'
        ? { kind: 'quiet', minutes: row.quiet_minutes ?? 1 }
        : { kind: 'new' };
  return {
    id: row.id,
    name: row.name,
    trigger,
    filter: row.filter,
    batch: row.batch,
    ...(row.queue === null ? {} : { queue: row.queue }),
    chunk: row.chunk,
    position: row.position,
    skipExistingOutputs: row.skip_existing_outputs === 1,
    sinceStudy: row.since_study,
    owner: row.owner,
    createdAt: row.created_at,
  };
}

/** The trigger in words for lists. */
export function ruleTriggerText(rule: AutoRule): string {
  return formatTrigger(rule.trigger);
}

/** Ids of the projects that hold at least one rule (the server's timer fires only those). */
export function projectIdsWithRules(db: Db): number[] {
  return (db.prepare('SELECT DISTINCT project_id AS id FROM auto_rules').all() as Array<{ id: number }>).map(
    (r) => r.id,
  );
}
