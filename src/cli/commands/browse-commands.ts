import { tagsOf } from '../../catalog/tags.js';
import { groupBySubject, type SelectedStudy, type StudyRef } from '../../selection/selection.js';
import { FILTER_HELP } from '../../selection/filter.js';
import { parseFilter } from '../../selection/parse-filter.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { runFilter } from '../../selection/run-filter.js';
import { selectFiles } from '../../selection/run-selector.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable, visible } from '../format-table.js';

const FILTER_ARG = {
  name: 'FILTER',
  description: `Filter-bar terms. ${FILTER_HELP}`,
  variadic: true,
} as const;

function filteredStudies(ctx: CommandContext): StudyRef[] {
  return runFilter(ctx.catalog().db, ctx.project(), parseFilter(ctx.args.join(' ')));
}

export const subjectsCommand: CommandSpec = {
  name: 'subjects',
  summary: 'List subjects that have a study matching a filter, with their tags.',
  args: [FILTER_ARG],
  options: {},
  examples: [
    'cohort subjects',
    "cohort subjects 'P00 & PTAG:control'",
    "cohort subjects 't1_*/s0*.nii & STAG:baseline'",
  ],
  run(ctx) {
    const groups = groupBySubject(filteredStudies(ctx));
    const tags = tagsOf(
      ctx.catalog().db,
      'subject',
      groups.map((g) => g.subjectId),
    );
    const rows = groups.map((g) => ({
      pid: g.pid,
      studies: g.studies.map((s) => s.sid),
      tags: tags.get(g.subjectId) ?? [],
    }));
    if (ctx.json) return ctx.printJson(rows);
    ctx.print(
      formatTable(
        ['SUBJECT', 'STUDIES', 'TAGS'],
        rows.map((r) => [r.pid, r.studies.join(' '), r.tags.join(' ')]),
      ),
    );
  },
};

export const studiesCommand: CommandSpec = {
  name: 'studies',
  summary: 'List studies matching a filter, with their tags and file counts.',
  args: [FILTER_ARG],
  options: {},
  examples: ['cohort studies STAG:baseline', "cohort studies 'P001 P002 & !FTAG:bad'"],
  run(ctx) {
    const studies = filteredStudies(ctx);
    const db = ctx.catalog().db;
    const ids = studies.map((s) => s.studyId);
    const tags = tagsOf(db, 'study', ids);
    const counts = new Map(
      (
        db
          .prepare(
            `SELECT study_id, count(*) AS n FROM files WHERE present = 1 AND study_id IN (SELECT value FROM json_each(?)) GROUP BY study_id`,
          )
          .all(JSON.stringify(ids)) as Array<{ study_id: number; n: number }>
      ).map((r) => [r.study_id, r.n]),
    );
    const rows = studies.map((s) => ({
      ...s,
      files: counts.get(s.studyId) ?? 0,
      tags: tags.get(s.studyId) ?? [],
    }));
    if (ctx.json) return ctx.printJson(rows);
    ctx.print(
      formatTable(
        ['STUDY', 'FILES', 'TAGS'],
        rows.map((r) => [r.ref, String(r.files), r.tags.join(' ')]),
      ),
    );
  },
};

export const filesCommand: CommandSpec = {
  name: 'files',
  summary: 'List the files of studies matching a filter (optionally only those matching a pattern).',
  args: [FILTER_ARG],
  options: {
    pattern: {
      type: 'string',
      value: 'PATTERN',
      description: 'Only files matching this pattern (* any run, _ one character).',
    },
  },
  examples: ["cohort files 'STAG:baseline' --pattern 't1*/*.nii'"],
  run(ctx) {
    const wanted = new Set(filteredStudies(ctx).map((s) => s.studyId));
    const pattern = ctx.options.pattern;
    const selector = parseSelector(typeof pattern === 'string' ? [`file:${pattern}`] : []);
    const studies = selectFiles(ctx.catalog().db, ctx.project(), selector).studies.filter((s) =>
      wanted.has(s.studyId),
    );
    printFiles(ctx, studies);
  },
};

export const selectCommand: CommandSpec = {
  name: 'select',
  summary:
    'Select files (or studies) with a selector: absolute paths one per line, or --json grouped by study.',
  args: [{ name: 'TERM', description: 'Selector terms; see below.', variadic: true }],
  options: {
    studies: { type: 'boolean', description: 'Print the selected studies (SUBJECT#STUDY) instead of files.' },
    null: {
      type: 'boolean',
      short: '0',
      description: 'Separate paths with NUL instead of newline (for xargs -0).',
    },
  },
  examples: [
    "cohort select '*#LATEST' 'file:t1*/s0__.nii'",
    "cohort select 'P00*' stag:baseline notptag:excluded 'file:dwi*/*.nii' sort:-mtime nth:1",
    'cohort select --json stag:qc_ok file:flair*/*.nii file:FLAIR/*.nii.gz',
    'cohort select /data/project/P001/20210314/t1/s001.nii',
  ],
  run(ctx) {
    const selector = parseSelector(ctx.args);
    const db = ctx.catalog().db;
    const project = ctx.project();
    const selection = selectFiles(db, project, selector);
    // An empty answer is a valid one (exit 0), but a typo must not look like it: say so, on stderr.
    if (selection.studies.every((s) => s.files.length === 0) && ctx.options.studies !== true)
      ctx.warn(`Nothing matched ${ctx.args.join(' ') || '*'} in project '${project.name}'.`);
    else if (selection.studies.length === 0)
      ctx.warn(`No study matched ${ctx.args.join(' ') || '*'} in project '${project.name}'.`);
    if (ctx.options.studies === true) {
      if (ctx.json) return ctx.printJson(selection.studies.map(({ files: _files, ...study }) => study));
      for (const s of selection.studies) ctx.print(s.ref);
      return;
    }
    if (ctx.options.null === true) {
      ctx.print(selection.studies.flatMap((s) => s.files.map((f) => f.absolutePath)).join('\0'));
      return;
    }
    printFiles(ctx, selection.studies);
  },
};

function printFiles(ctx: CommandContext, studies: readonly SelectedStudy[]): void {
  if (ctx.json) {
    ctx.printJson(studies.filter((s) => s.files.length > 0));
    return;
  }
  for (const study of studies) for (const file of study.files) ctx.print(visible(file.absolutePath));
}
