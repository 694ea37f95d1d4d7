import { writeFileSync } from 'node:fs';
import { exportCohort, exportRows, exportTsv } from '../../measures/cohort-export.js';
import { parseSelector } from '../../selection/parse-selector.js';
import type { CommandSpec } from '../command-spec.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary:
    'Export tags, study descriptions, file metadata and entities, and recorded measures of a selection: a long TSV (subject, study, key, value) or JSON.',
  args: [{ name: 'TERM', description: 'Selector terms (default: all studies, all files).', variadic: true }],
  options: {
    format: {
      type: 'string',
      value: 'FORMAT',
      choices: ['tsv', 'json'],
      default: 'tsv',
      description: 'Output format.',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      description: 'Write to FILE instead of standard output.',
    },
  },
  examples: [
    'cohort export > cohort.tsv',
    "cohort export 'stag:control' --format json -o control.json",
    "cohort export '*#LATEST' 'file:dti/fa.nii.gz'",
  ],
  run(ctx) {
    const selector = parseSelector(ctx.args.length === 0 ? ['*'] : ctx.args);
    const data = exportCohort(ctx.catalog().db, ctx.project(), selector);
    const json = ctx.json || ctx.options.format === 'json';
    const text = json ? `${JSON.stringify(data, null, 2)}\n` : exportTsv(exportRows(data));
    const output = ctx.options.output as string | undefined;
    if (output === undefined) ctx.print(text.slice(0, -1));
    else {
      writeFileSync(output, text);
      ctx.warn(`wrote ${output}`);
    }
    return 0;
  },
};
