import { setLogRetentionDays } from '../../catalog/project-store.js';
import { collectGarbage } from '../../runs/index.js';
import { invalidInput } from '../../errors/cohort-error.js';
import type { CommandSpec } from '../command-spec.js';

export const gcCommand: CommandSpec = {
  name: 'gc',
  summary:
    "Remove task folders per the retention rule: successful tasks' after the project's days (default 30), cleared tasks' at once.",
  args: [],
  options: {
    days: {
      type: 'integer',
      min: 0,
      value: 'N',
      description: "Keep successful tasks' folders N days this time (default: each project's rule).",
    },
    'set-retention': {
      type: 'string',
      value: 'N|never',
      description: "Set the project's rule: keep successful tasks' folders N days (or never remove them).",
    },
    'dry-run': { type: 'boolean', description: 'Only say what would be removed.' },
  },
  examples: ['cohort gc', 'cohort gc --dry-run --days 7', 'cohort gc --set-retention 90'],
  run(ctx) {
    const catalog = ctx.catalog();
    const rule = ctx.options['set-retention'];
    if (typeof rule === 'string') {
      const days = rule === 'never' ? null : Number(rule);
      if (days !== null && !(Number.isInteger(days) && days >= 0)) {
        throw invalidInput(
          `--set-retention takes a number of days or 'never' (got '${rule}').`,
          'E.g. --set-retention 30.',
        );
      }
      setLogRetentionDays(catalog.db, ctx.project().id, days);
      ctx.print(
        `Project '${ctx.project().name}' keeps successful tasks' folders ${days === null ? 'forever' : `${days} day(s)`}.`,
      );
    }
    const report = collectGarbage(catalog, {
      ...(typeof ctx.options.days === 'number' ? { days: ctx.options.days } : {}),
      dryRun: ctx.options['dry-run'] === true,
    });
    if (ctx.json) return ctx.printJson(report);
    const verb = ctx.options['dry-run'] === true ? 'Would remove' : 'Removed';
    ctx.print(
      `${verb} ${report.expired} expired and ${report.cleared} cleared task folder(s), ${report.runs} empty run folder(s): ${(report.bytes / 1e6).toFixed(1)} MB.`,
    );
  },
};
