import { userInfo } from 'node:os';
import { findRule, listLog, listRules, removeRule, ruleTriggerText } from '../../auto/auto-store.js';
import { createRule } from '../../auto/create-rule.js';
import type { CommandSpec } from '../command-spec.js';
import { formatTable, visible } from '../format-table.js';
import { fireRules } from '../../auto/fire-rules.js';
import { BackgroundRunner } from '../../runs/index.js';

export const autoAddCommand: CommandSpec = {
  name: 'auto add',
  summary:
    'Add an autoexec rule: run a saved batch by itself on studies its trigger sees, never twice on the same inputs.',
  args: [{ name: 'NAME', description: 'The rule (AUTOEXEC:NAME in the grid).', required: true }],
  options: {
    batch: { type: 'string', value: 'BATCH', description: 'A saved batch: NAME or FOLDER/NAME.' },
    trigger: {
      type: 'string',
      value: 'TRIGGER',
      description:
        "'new' (studies added after the rule), 'tag:TAG' (studies carrying it) or 'quiet:MINUTES' (no file changed for that long).",
      default: 'new',
    },
    filter: {
      type: 'string',
      value: 'FILTER',
      description: "Filter-bar text a study must pass too, e.g. 'STAG:baseline & !STAG:bad'.",
    },
    queue: {
      type: 'string',
      value: 'QUEUE',
      description: "Queue for its jobs that name none (default: the project's).",
    },
    chunk: {
      type: 'integer',
      min: 0,
      value: 'N',
      description: 'Studies per run (default 0: everything one firing finds in one run).',
    },
    order: {
      type: 'integer',
      value: 'N',
      description: 'Rules fire by this number, lowest first (default 0).',
    },
    'skip-existing-outputs': {
      type: 'boolean',
      description: 'Also leave out studies whose declared outputs all exist (made elsewhere).',
    },
    'include-existing': {
      type: 'boolean',
      description: "Trigger 'new': count the studies already there as new (default: only later ones).",
    },
  },
  examples: [
    'cohort auto add masks --batch qc/brain-mask --trigger new',
    "cohort auto add dti --batch dti --trigger quiet:30 --filter 'STAG:baseline' --chunk 20 --queue local",
    'cohort auto add fa-after-qc --batch dti --trigger tag:qc_ok --order 2',
  ],
  run(ctx) {
    const text = (name: string): string | undefined =>
      typeof ctx.options[name] === 'string' ? ctx.options[name] : undefined;
    const queue = text('queue');
    const rule = createRule(ctx.catalog().db, ctx.project(), {
      name: ctx.args[0] ?? '',
      trigger: text('trigger') ?? 'new',
      batch: text('batch') ?? '',
      filter: text('filter') ?? '',
      ...(queue === undefined ? {} : { queue }),
      chunk: typeof ctx.options.chunk === 'number' ? ctx.options.chunk : 0,
      order: typeof ctx.options.order === 'number' ? ctx.options.order : 0,
      skipExistingOutputs: ctx.options['skip-existing-outputs'] === true,
      includeExisting: ctx.options['include-existing'] === true,
      owner: userInfo().username,
    });
    if (ctx.json) return ctx.printJson(rule);
    ctx.print(
      `Rule '${rule.name}' runs batch '${rule.batch}' on ${ruleTriggerText(rule)} studies; it fires after rescan, import-dicom, add and tag add, and every few seconds in \`cohort serve\`.`,
    );
  },
};

export const autoListCommand: CommandSpec = {
  name: 'auto list',
  summary: "List the project's autoexec rules in firing order.",
  args: [],
  options: {},
  examples: ['cohort auto list', 'cohort auto list --json'],
  run(ctx) {
    const rules = listRules(ctx.catalog().db, ctx.project());
    if (ctx.json) return ctx.printJson(rules);
    if (rules.length === 0) return ctx.print('No rules yet: cohort auto add NAME --batch BATCH');
    ctx.print(
      formatTable(
        ['ORDER', 'RULE', 'TRIGGER', 'FILTER', 'BATCH', 'QUEUE', 'CHUNK', 'SKIP OUTPUTS'],
        rules.map((r) => [
          String(r.position),
          r.name,
          ruleTriggerText(r),
          visible(r.filter),
          r.batch,
          r.queue ?? '',
          r.chunk === 0 ? 'all' : String(r.chunk),
          r.skipExistingOutputs ? 'yes' : '',
        ]),
      ),
    );
  },
};

export const autoRemoveCommand: CommandSpec = {
  name: 'auto remove',
  summary: 'Remove an autoexec rule (its log and the runs it started stay).',
  args: [{ name: 'NAME', description: 'The rule.', required: true }],
  options: {},
  examples: ['cohort auto remove fa-after-qc'],
  run(ctx) {
    removeRule(ctx.catalog().db, ctx.project(), ctx.args[0] ?? '');
    ctx.print(`Rule '${ctx.args[0] ?? ''}' removed.`);
  },
};

export const autoLogCommand: CommandSpec = {
  name: 'auto log',
  summary: 'What the rules started (newest first), and why a rule could not fire.',
  args: [{ name: 'RULE', description: 'Only this rule.' }],
  options: {
    limit: { type: 'integer', min: 1, value: 'N', description: 'Lines (default 50).', default: 50 },
  },
  examples: ['cohort auto log', 'cohort auto log masks --limit 10'],
  run(ctx) {
    const db = ctx.catalog().db;
    const project = ctx.project();
    if (ctx.args[0] !== undefined) findRule(db, project, ctx.args[0]);
    const entries = listLog(db, project, ctx.args[0], Number(ctx.options.limit ?? 50));
    if (ctx.json) return ctx.printJson(entries);
    ctx.print(
      formatTable(
        ['WHEN', 'RULE', 'SOURCE', 'RUN', 'ITEMS', 'SKIPPED', 'MESSAGE'],
        entries.map((e) => [
          new Date(e.at).toISOString().replace('T', ' ').slice(0, 19),
          e.rule,
          e.source,
          e.runId === null ? '' : String(e.runId),
          String(e.items),
          String(e.skipped),
          visible(e.message),
        ]),
      ),
    );
  },
};

export const autoFireCommand: CommandSpec = {
  name: 'auto fire',
  summary: 'Fire the rules now (for a cron job, or after changing the catalog by other means).',
  args: [],
  options: {
    source: {
      type: 'string',
      value: 'WORDS',
      description:
        "What fired the rules, for their log (default 'auto fire'; rescan and add give their name).",
    },
  },
  examples: ['cohort auto fire'],
  async run(ctx) {
    const catalog = ctx.catalog();
    const project = ctx.project();
    const results = await fireRules(catalog, project, {
      source: typeof ctx.options.source === 'string' ? ctx.options.source : 'auto fire',
      driver: new BackgroundRunner(catalog.runsDir, {
        databasePath: catalog.config.databasePath,
        project: project.name,
      }),
    });
    if (!ctx.json && results.every((r) => r.error === undefined && r.runs.length === 0)) {
      ctx.print(results.length === 0 ? 'No rules to fire.' : 'No rule found new work: nothing started.');
    }
    for (const r of results) {
      if (r.error !== undefined) ctx.warn(`autoexec: rule '${r.rule}' could not fire: ${r.error}`);
      for (const run of r.runs)
        ctx.warn(`autoexec: rule '${r.rule}' started run ${run.runId} on ${run.items.length} item(s).`);
    }
    if (ctx.json) ctx.printJson(results);
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  },
};
