import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Catalog } from '../../catalog/catalog.js';
import { indexProject } from '../../catalog/indexer/index-project.js';
import { ownPaths } from '../../catalog/own-paths.js';
import { createProject, listProjects, type Project } from '../../catalog/project-store.js';
import { addTags } from '../../catalog/tags.js';
import { generateDemoProject, type DemoSummary } from '../../demo/demo-project.js';
import { invalidInput } from '../../errors/cohort-error.js';
import { parseFilter } from '../../selection/parse-filter.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { runFilter } from '../../selection/run-filter.js';
import { selectFiles } from '../../selection/run-selector.js';
import { findStudy, findSubjectId } from '../../catalog/study-lookup.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { printIndexResult } from './print-index-result.js';

// T1 images as the three simulated scanners name them: one pattern per naming convention.
const T1_PATTERNS = ['file:t1_mprage*/s0__.nii', 'file:T1w*/*.nii.gz', 'file:*T1_BRAVO/*.nii.gz'];

export const demoCommand: CommandSpec = {
  name: 'demo',
  createsCatalog: true,
  summary: 'Create (or rescan) a synthetic demo project, index and tag it, and show selections on it.',
  args: [],
  options: {
    root: { type: 'string', value: 'DIR', description: 'Where to write the demo (default: ~/.cohort/demo).' },
    subjects: {
      type: 'integer',
      min: 1,
      max: 999,
      value: 'N',
      description: 'Number of subjects (default 20).',
    },
    name: { type: 'string', value: 'NAME', description: 'Project name (default: demo).' },
  },
  examples: ['cohort demo', 'cohort demo --subjects 50 --root ~/demo50 --name demo50'],
  async run(ctx) {
    const name = typeof ctx.options.name === 'string' ? ctx.options.name : 'demo';
    const catalog = ctx.catalog();
    let project = listProjects(catalog.db).find((p) => p.name === name);
    if (project === undefined) {
      const root =
        typeof ctx.options.root === 'string' ? resolve(ctx.options.root) : join(ctx.config.home, 'demo');
      const summary = generateDemoProject(root, subjectsOption(ctx));
      ctx.print(
        `Wrote a demo of ${summary.subjects} subjects, ${summary.studies} studies, ${summary.files} files to ${summary.root}.`,
      );
      project = createProject(catalog.db, { name, root, layout: 'folders' }, ownPaths(ctx.config));
      printIndexResult(ctx, await indexProject(catalog, project));
      applyDemoTags(catalog, project, summary);
    } else {
      if (!existsSync(project.root))
        throw invalidInput(
          `The demo folder ${project.root} is gone.`,
          'Remove ~/.cohort/cohort.db or use --name to make a new demo.',
        );
      ctx.print(`Project '${name}' exists; rescanning ${project.root}.`);
      printIndexResult(ctx, await indexProject(catalog, project));
    }
    showSelections(ctx, catalog, project);
  },
};

function subjectsOption(ctx: CommandContext): { subjects?: number } {
  const value = ctx.options.subjects;
  return typeof value === 'number' ? { subjects: value } : {};
}

function applyDemoTags(catalog: Catalog, project: Project, summary: DemoSummary): void {
  const db = catalog.db;
  for (const [pid, tags] of Object.entries(summary.subjectTags))
    addTags(db, 'subject', [findSubjectId(db, project, pid)], tags);
  for (const [ref, tags] of Object.entries(summary.studyTags))
    addTags(db, 'study', [findStudy(db, project, ref).id], tags);
}

/** The catalog at work: the selections a user would make first on a new cohort. */
function showSelections(ctx: CommandContext, catalog: Catalog, project: Project): void {
  const db = catalog.db;
  const all = runFilter(db, project, parseFilter(''));
  const t1 = selectFiles(db, project, parseSelector([...T1_PATTERNS, 'nth:1']));
  const baseline = runFilter(db, project, parseFilter('STAG:baseline & PTAG:patient'));
  const withFlair = new Set(
    runFilter(db, project, parseFilter('flair*/ FLAIR/ *FLAIR/')).map((s) => s.studyId),
  );
  const noFlair = all.filter((s) => !withFlair.has(s.studyId)).map((s) => s.ref);
  if (ctx.json) {
    ctx.printJson({
      project: project.name,
      studies: all.length,
      t1: t1.studies.map((s) => s.files[0]?.absolutePath),
      baselinePatients: baseline.map((s) => s.ref),
      studiesWithoutFlair: noFlair,
    });
    return;
  }
  ctx.print(`
One T1 per study, across three scanners' naming (${T1_PATTERNS.join(' ')}):
  ${t1.studies.length} of ${all.length} studies resolve, e.g. ${t1.studies
    .slice(0, 3)
    .map((s) => s.files[0]?.path)
    .join(', ')}
Baseline studies of patients (filter 'STAG:baseline & PTAG:patient'): ${baseline.length}
Studies without a FLAIR series: ${noFlair.join(', ') || 'none'}

Try next:
  cohort studies 'STAG:followup'
  cohort select '*#LATEST' ${T1_PATTERNS.map((p) => `'${p}'`).join(' ')}
  cohort select --json 'P00*' stag:baseline 'file:dwi*/*.nii' 'file:DTI*/*.nii.gz'
  cohort tag add qc_ok 'P001#OLDEST'`);
}
