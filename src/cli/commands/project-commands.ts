import { detectLayout, detectLayoutWithReason } from '../../catalog/layout/make-layout.js';
import { LAYOUT_KINDS, type LayoutKind } from '../../catalog/layout/layout.js';
import { ownPaths } from '../../catalog/own-paths.js';
import { createProject, listProjects, projectSummaries } from '../../catalog/project-store.js';
import { indexProject } from '../../catalog/indexer/index-project.js';
import { invalidInput } from '../../errors/cohort-error.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { fireAutoRules } from './fire-auto-rules.js';
import { formatTable } from '../format-table.js';
import { indexProgress } from '../progress/index-progress.js';
import { printIndexResult } from './print-index-result.js';

export const createCommand: CommandSpec = {
  name: 'create',
  createsCatalog: true,
  summary: 'Register an existing folder tree as a project and index it.',
  args: [
    { name: 'NAME', description: 'Project name (letters, digits, . _ -).', required: true },
    { name: 'ROOT', description: 'The project folder.', required: true },
  ],
  options: {
    layout: {
      type: 'string',
      value: 'KIND',
      description: `Folder layout: auto (default), ${LAYOUT_KINDS.join(', ')}.`,
    },
    'analysis-folder': {
      type: 'string',
      value: 'NAME',
      description: 'Folder holding ANALYSIS#name folders (default: analysis).',
    },
  },
  examples: ['cohort create stroke ~/data/stroke', 'cohort create ds001 ~/data/bids/ds001 --layout bids'],
  async run(ctx) {
    const [name = '', root = ''] = ctx.args;
    const layout = layoutOption(ctx, root);
    const chosen = ctx.options.layout === undefined || ctx.options.layout === 'auto';
    const guess = chosen ? detectLayoutWithReason(root) : null;
    const catalog = ctx.catalog();
    const analysisFolder = ctx.options['analysis-folder'];
    const project = createProject(
      catalog.db,
      {
        name,
        root,
        layout,
        ...(typeof analysisFolder === 'string' ? { analysisFolder } : {}),
      },
      ownPaths(ctx.config),
    );
    // On stderr, so that --json output stays one document; once the project exists.
    ctx.warn(`Layout: ${layout} (${guess === null ? 'given with --layout' : guess.reason}).`);
    if (guess?.warning !== undefined) ctx.warn(`Warning: ${guess.warning}`);
    const progress = indexProgress(ctx);
    const result = await indexProject(catalog, project, {
      ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
    }).finally(() => progress.stop());
    printIndexResult(ctx, result);
  },
};

function layoutOption(ctx: CommandContext, root: string): LayoutKind {
  const value = ctx.options.layout;
  if (value === undefined || value === 'auto') return detectLayout(root);
  if (typeof value === 'string' && (LAYOUT_KINDS as readonly string[]).includes(value))
    return value as LayoutKind;
  throw invalidInput(`Unknown layout '${String(value)}'.`, `Use auto, ${LAYOUT_KINDS.join(' or ')}.`);
}

export const projectsCommand: CommandSpec = {
  name: 'projects',
  summary: 'List the projects in the catalog.',
  args: [],
  options: {},
  examples: ['cohort projects', 'cohort projects --json'],
  run(ctx) {
    const db = ctx.catalog().db;
    const rows = projectSummaries(db);
    if (ctx.json) return ctx.printJson(rows);
    if (rows.length === 0 && listProjects(db).length === 0)
      return ctx.print('No projects yet: `cohort create NAME ROOT` or `cohort demo`.');
    ctx.print(
      formatTable(
        ['NAME', 'SUBJECTS', 'STUDIES', 'FILES', 'LAYOUT', 'ROOT'],
        rows.map((r) => [r.name, String(r.subjects), String(r.studies), String(r.files), r.layout, r.root]),
      ),
    );
  },
};

export const rescanCommand: CommandSpec = {
  name: 'rescan',
  summary:
    'Update the catalog from disk: new, changed and removed files (removed ones are marked, tags kept).',
  args: [{ name: 'SUBJECT_FOLDER', description: 'Rescan only these subject folders.', variadic: true }],
  options: {
    threads: { type: 'integer', min: 1, value: 'N', description: 'Scan threads (default: CPUs, at most 4).' },
  },
  examples: ['cohort rescan', 'cohort rescan P001 P002 --project stroke'],
  async run(ctx) {
    const threads = typeof ctx.options.threads === 'number' ? ctx.options.threads : undefined;
    const progress = indexProgress(ctx);
    const result = await indexProject(ctx.catalog(), ctx.project(), {
      ...(ctx.args.length > 0 ? { subjectFolders: ctx.args } : {}),
      ...(threads === undefined ? {} : { threads }),
      ...(progress.onProgress === undefined ? {} : { onProgress: progress.onProgress }),
    }).finally(() => progress.stop());
    printIndexResult(ctx, result);
    fireAutoRules(ctx, 'rescan');
  },
};
