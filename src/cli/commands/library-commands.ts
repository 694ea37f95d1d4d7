import type { JobArgument } from '../../jobs/job-definition.js';
import { defaultLibraryDirs, libraryJob, loadLibrary, type LibraryJob } from '../../jobs/library.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { formatTable, visible } from '../format-table.js';

// The same folders the engine reads when it runs a library job: bundled, then the user's library.
const jobs = (ctx: CommandContext): LibraryJob[] => loadLibrary(defaultLibraryDirs(ctx.config.libraryDir));

export const libraryListCommand: CommandSpec = {
  name: 'library list',
  summary:
    'List the predefined jobs: the bundled library and your own in $COHORT_HOME/library (or $COHORT_LIBRARY).',
  args: [],
  options: {},
  examples: ['cohort library list', 'cohort library list --json'],
  run(ctx) {
    const all = jobs(ctx);
    if (ctx.json) return ctx.printJson(all);
    ctx.print(
      formatTable(
        ['ID', 'NAME', 'TOOL'],
        all.map((job) => [job.id, job.name, job.tool ?? '']),
      ),
    );
  },
};

export const libraryShowCommand: CommandSpec = {
  name: 'library show',
  summary: 'Show one predefined job: what it does, the tool it calls, its arguments and their help.',
  args: [{ name: 'ID', description: 'The job id, e.g. registration/linear.', required: true }],
  options: {},
  examples: ['cohort library show atlas/region-stats'],
  run(ctx) {
    const job = libraryJob(ctx.args[0] ?? '', jobs(ctx));
    if (ctx.json) return ctx.printJson(job);
    ctx.print(
      [
        `${job.id}: ${job.name}`,
        '',
        job.description,
        '',
        `Tool:     ${job.tool ?? '(not stated)'}`,
        `Requires: ${job.requires.join(', ') || '(nothing)'}`,
        ...(job.level === 'group'
          ? ['Level:    group (runs once over all items; use it with "level": "group" in a batch)']
          : []),
        `File:     ${visible(job.file)}`,
        '',
        formatTable(
          ['ARG', 'TYPE', 'DEFAULT', 'HELP'],
          job.args.map((arg) => [arg.name, arg.type, defaultOf(arg), job.help[arg.name] ?? '']),
        ),
      ].join('\n'),
    );
  },
};

/** A template argument's default as one line: patterns, path and tags, or value and choices. */
function defaultOf(arg: JobArgument): string {
  switch (arg.type) {
    case 'FILE': {
      const where = arg.ref.kind === 'analysis' ? ` in ANALYSIS#${arg.ref.name}` : '';
      return `${arg.patterns.join(' | ')}${where}${arg.optional === true ? ' (optional)' : ''}`;
    }
    case 'OUT':
    case 'PATHOUT':
      return `${arg.path}${arg.tags?.length ? ` TAG(${arg.tags.join(',')})` : ''}`;
    case 'OPTION':
      return `${arg.value} (${arg.choices.join(', ')})`;
    case 'NUMERIC':
    case 'STRING':
    case 'LOGICAL':
      return JSON.stringify(arg.value);
  }
}
