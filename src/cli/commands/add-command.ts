import { addFiles } from '../../catalog/add-files.js';
import type { CommandSpec } from '../command-spec.js';
import { fireAutoRules } from './fire-auto-rules.js';
import { visible } from '../format-table.js';

export const addCommand: CommandSpec = {
  name: 'add',
  summary: 'Register files in the catalog (inside a job: the outputs it made), optionally tagging them.',
  args: [{ name: 'FILE', description: 'Files to add.', required: true, variadic: true }],
  options: {
    tag: { type: 'string', short: 't', multiple: true, value: 'TAG', description: 'Tag the added files.' },
    study: {
      type: 'string',
      value: 'SUBJECT#STUDY',
      description: 'Copy files from outside the project into this study (default inside a job: its study).',
    },
    into: { type: 'string', value: 'SUBFOLDER', description: 'Sub-folder of the study to copy into.' },
  },
  examples: [
    'cohort add ~/.cohort/demo/P001/20201024/masks/brain.nii --tag brainmask',
    'cohort add ./result.nii --study P001#20201024 --into results',
  ],
  run(ctx) {
    const tags = ctx.options.tag as string[] | undefined;
    const study = (ctx.options.study as string | undefined) ?? ctx.config.study;
    const into = ctx.options.into as string | undefined;
    const results = addFiles(ctx.catalog(), ctx.project(), ctx.args, {
      ...(tags === undefined ? {} : { tags }),
      ...(study === undefined ? {} : { study }),
      ...(into === undefined ? {} : { into }),
      cwd: ctx.config.cwd,
    });
    if (ctx.json) ctx.printJson(results);
    let failed = 0;
    for (const r of results) {
      if (r.ok && !ctx.json) ctx.print(`added ${visible(r.path)}${r.copied ? ' (copied)' : ''}`);
      if (!r.ok) {
        failed++;
        ctx.warn(
          `error: ${visible(r.input)}: ${r.error}${r.hint === undefined ? '' : `\n  hint: ${r.hint}`}`,
        );
      }
    }
    if (failed < results.length) fireAutoRules(ctx, 'add');
    return failed === 0 ? 0 : 1;
  },
};
