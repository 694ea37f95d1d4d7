import { invalidInput } from '../../errors/cohort-error.js';
import { parseMeasureValue, validateMeasureKey } from '../../measures/measure-store.js';
import { readMeasuresFile, recordOn, type MeasureTarget } from '../../measures/record-measures.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';

/** Inside a job: `cohort record fa_mean 0.43` stores a number on the job's study (or subject). */
export const recordCommand: CommandSpec = {
  name: 'record',
  summary:
    'Record numbers on a study or subject (inside a job: its own), with the task that wrote them; `cohort export` lists them.',
  args: [
    { name: 'KEY', description: 'Measure name, e.g. fa_mean (or omit and give --file).' },
    { name: 'VALUE', description: 'A number, e.g. 0.43.' },
  ],
  options: {
    file: {
      type: 'string',
      value: 'JSON',
      description: 'A JSON object of measures, e.g. {"fa_mean": 0.43, "volume": {"gm": 512}}.',
    },
    study: {
      type: 'string',
      value: 'SUBJECT#STUDY',
      description: 'Record on this study (default in a job: its study).',
    },
    subject: {
      type: 'string',
      value: 'SUBJECT',
      description: 'Record on this subject (default in a subject-level job: its subject).',
    },
  },
  examples: [
    "cohort record fa_mean 0.43 --study 'P001#20201024'   # inside a job: on its own study",
    "cohort record --file measures.json --study 'P001#20201024'",
    'cohort record volume 1234.5 --subject P001',
  ],
  run(ctx) {
    const target = targetOf(ctx);
    const file = ctx.options.file as string | undefined;
    const [key, value, ...rest] = ctx.args;
    if (
      rest.length > 0 ||
      (file === undefined) === (key === undefined) ||
      (key !== undefined && value === undefined)
    ) {
      throw invalidInput(
        'Give either KEY VALUE or --file JSON.',
        'e.g. cohort record fa_mean 0.43, or cohort record --file measures.json',
      );
    }
    let values: Record<string, number>;
    if (file !== undefined) values = readMeasuresFile(file, ctx.config.cwd);
    else {
      validateMeasureKey(key ?? '');
      values = { [key ?? '']: parseMeasureValue(key ?? '', value ?? '') };
    }
    const result = recordOn(ctx.catalog().db, ctx.project(), target, values, ctx.config.task);
    if (ctx.json) ctx.printJson(result);
    else {
      const where = result.study === null ? result.subject : `${result.subject}#${result.study}`;
      ctx.print(`recorded ${result.recorded} measure(s) on ${where}`);
    }
    return 0;
  },
};

function targetOf(ctx: CommandContext): MeasureTarget {
  const study = ctx.options.study as string | undefined;
  const subject = ctx.options.subject as string | undefined;
  if (study !== undefined && subject !== undefined) {
    throw invalidInput('Give --study or --subject, not both.');
  }
  if (study !== undefined) return { study };
  if (subject !== undefined) return { subject };
  if (ctx.config.study !== undefined) return { study: ctx.config.study };
  // A subject-level job's item is its subject; a group-level job's (`*`) is no single item.
  const item = ctx.config.item;
  if (item !== undefined && item !== '*' && !item.includes('#')) return { subject: item };
  throw invalidInput(
    'No study or subject to record on.',
    item === '*'
      ? 'A group-level job runs for all items: name one with --study SUBJECT#STUDY or --subject SUBJECT.'
      : 'Give --study SUBJECT#STUDY or --subject SUBJECT (inside a job the default is its own).',
  );
}
