import { addTags, removeTags, type TagLevel } from '../../catalog/tags.js';
import { invalidInput } from '../../errors/cohort-error.js';
import { groupBySubject } from '../../selection/selection.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { selectFiles, selectStudies } from '../../selection/run-selector.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { fireAutoRules } from './fire-auto-rules.js';

const LEVELS: Record<string, TagLevel> = { files: 'file', studies: 'study', subjects: 'subject' };

const ARGS = [
  { name: 'TAGS', description: 'Tag or comma-separated tags, e.g. qc_ok or baseline,t1_ok.', required: true },
  {
    name: 'TERM',
    description: 'Selector terms picking the items (see `cohort select --help`).',
    required: true,
    variadic: true,
  },
] as const;

const OPTIONS = {
  on: {
    type: 'string',
    value: 'LEVEL',
    description: 'files, studies or subjects. Default: files when the selector has file terms, else studies.',
  },
} as const;

function tagItems(ctx: CommandContext, change: typeof addTags): number {
  const [tagList = '', ...terms] = ctx.args;
  const tags = tagList.split(',').filter((t) => t !== '');
  const selector = parseSelector(terms);
  const on = ctx.options.on;
  if (on !== undefined && (typeof on !== 'string' || !(on in LEVELS))) {
    throw invalidInput(`--on must be files, studies or subjects, not '${String(on)}'.`);
  }
  const level: TagLevel =
    typeof on === 'string' ? (LEVELS[on] ?? 'study') : selector.files === null ? 'study' : 'file';
  const db = ctx.catalog().db;
  const project = ctx.project();
  let ids: number[];
  if (level === 'file') {
    ids = selectFiles(db, project, selector).studies.flatMap((s) => s.files.map((f) => f.fileId));
  } else {
    const studies = selectStudies(db, project, selector).studies;
    ids = level === 'study' ? studies.map((s) => s.studyId) : groupBySubject(studies).map((g) => g.subjectId);
  }
  if (ids.length === 0) ctx.warn(`Nothing matched ${terms.join(' ')}: no ${level} was tagged.`);
  const changed = change(db, level, ids, tags);
  if (ctx.json) ctx.printJson({ level, items: ids.length, changed });
  else
    ctx.print(
      `${ids.length} ${level}(s) selected, ${changed} tag(s) ${change === addTags ? 'added' : 'removed'}.`,
    );
  return 0;
}

export const tagAddCommand: CommandSpec = {
  name: 'tag add',
  summary: 'Add tags to the files, studies or subjects a selector picks.',
  args: ARGS,
  options: OPTIONS,
  examples: [
    "cohort tag add qc_ok 'P001#20201024'",
    "cohort tag add control --on subjects 'P00*'",
    "cohort tag add bad 'P002#LATEST' 'file:dwi*/*.nii'",
  ],
  run(ctx) {
    const code = tagItems(ctx, addTags);
    fireAutoRules(ctx, 'tag add');
    return code;
  },
};

export const tagRemoveCommand: CommandSpec = {
  name: 'tag remove',
  summary: 'Remove tags from the files, studies or subjects a selector picks.',
  args: ARGS,
  options: OPTIONS,
  examples: ["cohort tag remove qc_ok 'P001#20201024'"],
  run: (ctx) => tagItems(ctx, removeTags),
};
