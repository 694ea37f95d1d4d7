import { join } from 'node:path';
import type { PageRequest } from '../../browse/browse-types.js';
import { listFiles } from '../../browse/list-files.js';
import { listStudies } from '../../browse/list-studies.js';
import { listSubjects } from '../../browse/list-subjects.js';
import type { SelectedStudy } from '../../selection/selection.js';
import { FILTER_HELP } from '../../selection/filter.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { eachSelectedStudy, selectFiles } from '../../selection/run-selector.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable, visible } from '../format-table.js';

const FILTER_ARG = {
  name: 'FILTER',
  description: `Filter-bar terms. ${FILTER_HELP}`,
  variadic: true,
} as const;

const PAGE_OPTIONS = {
  limit: { type: 'integer', min: 1, value: 'N', description: 'At most N rows (default: all).' },
  offset: { type: 'integer', min: 0, value: 'N', description: 'Skip the first N rows.', default: 0 },
} as const;

/** The page asked for; the same paging as the API's tables, all rows by default. */
function pageOf(ctx: CommandContext): PageRequest {
  return {
    limit: typeof ctx.options.limit === 'number' ? ctx.options.limit : Number.MAX_SAFE_INTEGER,
    offset: typeof ctx.options.offset === 'number' ? ctx.options.offset : 0,
  };
}

export const subjectsCommand: CommandSpec = {
  name: 'subjects',
  summary: 'List subjects that have a study matching a filter, with their tags (the subjects table).',
  args: [FILTER_ARG],
  options: PAGE_OPTIONS,
  examples: [
    'cohort subjects',
    "cohort subjects 'P00 & PTAG:control'",
    "cohort subjects 't1_*/s0*.nii & STAG:baseline'",
  ],
  run(ctx) {
    const page = listSubjects(ctx.catalog().db, ctx.project(), ctx.args.join(' '), pageOf(ctx));
    const rows = page.items.map((r) => ({ ...r, studies: r.studies.map((s) => s.sid) }));
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
  summary: 'List studies matching a filter, with their tags and file counts (the studies table).',
  args: [FILTER_ARG],
  options: PAGE_OPTIONS,
  examples: ['cohort studies STAG:baseline', "cohort studies 'P001 P002 & !FTAG:bad'"],
  run(ctx) {
    const page = listStudies(ctx.catalog().db, ctx.project(), ctx.args.join(' '), pageOf(ctx));
    if (ctx.json) return ctx.printJson(page.items);
    ctx.print(
      formatTable(
        ['STUDY', 'FILES', 'TAGS'],
        page.items.map((r) => [r.ref, String(r.files), r.tags.join(' ')]),
      ),
    );
  },
};

export const filesCommand: CommandSpec = {
  name: 'files',
  summary:
    'List the files of studies matching a filter (optionally only those matching a pattern): the files table.',
  args: [FILTER_ARG],
  options: {
    pattern: {
      type: 'string',
      value: 'PATTERN',
      description: 'Only files matching this pattern (* any run, _ one character).',
    },
    ...PAGE_OPTIONS,
  },
  examples: [
    "cohort files 'STAG:baseline' --pattern 't1*/*.nii'",
    "cohort files 'FTAG:bad'",
    "cohort files 'task=rest & run=2'",
  ],
  run(ctx) {
    const project = ctx.project();
    const pattern = typeof ctx.options.pattern === 'string' ? ctx.options.pattern : undefined;
    const page = listFiles(ctx.catalog().db, project, ctx.args.join(' '), pattern, pageOf(ctx));
    const rows = page.items.map((f) => ({ ...f, absolutePath: join(project.root, f.rootPath) }));
    if (ctx.json) return ctx.printJson(rows);
    // On stderr: stdout stays one path per line for scripts.
    if (rows.length === 0)
      ctx.warn(`No file matches ${ctx.args.join(' ') || '*'} in project '${project.name}'.`);
    // Tags and entities after a tab, so that `cut -f1` still gives the paths.
    for (const row of rows) ctx.print([visible(row.absolutePath), ...fileDetails(row)].join('\t'));
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
    'cohort select ~/.cohort/demo/P001/20201024/t1_mprage_sag/s001.nii',
  ],
  run(ctx) {
    const selector = parseSelector(ctx.args);
    const db = ctx.catalog().db;
    const project = ctx.project();
    if (ctx.options.studies !== true && ctx.options.null !== true && !ctx.json) {
      printEachFile(ctx, eachSelectedStudy(db, project, selector));
      return;
    }
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

/** Lines per write: one write per path cost more than the selection over 200,000 studies. */
const LINES_PER_WRITE = 4096;

/** One path per line as the studies come, a few thousand lines per write; warns when nothing matched. */
function printEachFile(ctx: CommandContext, studies: Iterable<SelectedStudy>): void {
  let lines: string[] = [];
  let printed = 0;
  for (const study of studies) {
    for (const file of study.files) lines.push(visible(file.absolutePath));
    if (lines.length >= LINES_PER_WRITE) {
      ctx.print(lines.join('\n'));
      printed += lines.length;
      lines = [];
    }
  }
  if (lines.length > 0) ctx.print(lines.join('\n'));
  // An empty answer is a valid one (exit 0), but a typo must not look like it: say so, on stderr.
  if (printed + lines.length === 0)
    ctx.warn(`Nothing matched ${ctx.args.join(' ') || '*'} in project '${ctx.project().name}'.`);
}

function printFiles(ctx: CommandContext, studies: readonly SelectedStudy[]): void {
  if (ctx.json) {
    ctx.printJson(studies.filter((s) => s.files.length > 0));
    return;
  }
  for (const study of studies) for (const file of study.files) ctx.print(visible(file.absolutePath));
}

/** A file's tags (`[brainmask,qc]`) and entities (`task=rest run=2`), for the files listing. */
function fileDetails(row: {
  tags: readonly string[];
  entities?: Readonly<Record<string, string>>;
}): string[] {
  const entities = Object.entries(row.entities ?? {})
    .filter(([key]) => key !== 'extension')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return [
    ...(row.tags.length > 0 ? [`[${row.tags.join(',')}]`] : []),
    ...(entities === '' ? [] : [entities]),
  ];
}
