import { join } from 'node:path';
import { openCatalog } from '../src/catalog/catalog.js';
import { findProject } from '../src/catalog/project-store.js';
import { addTags } from '../src/catalog/tags.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import { parseFilter } from '../src/selection/parse-filter.js';
import { parseSelector } from '../src/selection/parse-selector.js';
import { runFilter } from '../src/selection/run-filter.js';
import { runSelector } from '../src/selection/run-selector.js';
import { machineLine, median, ms } from './measure.js';
import { writeSection } from './write-results.js';

const RUNS = 15;

/**
 * Issue 2 figures: resolving one FILE pattern for every study of the 250,000-file project, and a
 * selector with a tag filter, on the catalog the index benchmark built (a real on-disk SQLite file).
 */
export function runSelectBench(home: string): void {
  const catalog = openCatalog(resolveConfig({ home }, {}));
  const project = findProject(catalog.db, 'bench');
  const studyIds = catalog.db
    .prepare('SELECT id FROM studies WHERE project_id = ? ORDER BY id')
    .pluck()
    .all(project.id) as number[];
  addTags(
    catalog.db,
    'study',
    studyIds.filter((_, i) => i % 3 === 0),
    ['qc_ok'],
  );
  const cases: Array<[string, string, () => number]> = [
    ['one FILE pattern, every study', '`file:t1*/s_05.nii`', sel('file:t1*/s_05.nii')],
    [
      'the same with a study-tag filter',
      '`stag:qc_ok file:t1*/s_05.nii`',
      sel('stag:qc_ok file:t1*/s_05.nii'),
    ],
    ['a pattern matching 10 files per study', '`file:t1*/s00_.nii`', sel('file:t1*/s00_.nii')],
    [
      'latest study per subject, sorted, nth',
      '`*#LATEST file:dwi*/*.nii sort:-mtime nth:1`',
      sel('*#LATEST file:dwi*/*.nii sort:-mtime nth:1'),
    ],
    [
      'filter bar: file pattern & tag',
      '`t1_mprage_0/s00 & STAG:qc_ok`',
      () => runFilter(catalog.db, project, parseFilter('t1_mprage_0/s00 & STAG:qc_ok')).length,
    ],
  ];
  function sel(text: string): () => number {
    const selector = parseSelector(text);
    return () => runSelector(catalog.db, project, selector).studies.reduce((n, s) => n + s.files.length, 0);
  }
  const rows = cases.map(([what, query, run]) => {
    const results = run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      run();
      times.push(performance.now() - started);
    }
    // The target is for resolving a pattern (about one file per study); bigger results are shown for scale.
    const target = results <= 5_000 ? 'under 200 ms' : 'none (result size)';
    return `| ${what} | ${query} | ${results.toLocaleString('en')} | ${ms(median(times))} | ${target} |`;
  });
  catalog.close();
  const text = `## Selection (issue 2)

Catalog of the indexing benchmark (5,000 studies, 250,000 files, on-disk SQLite, a third of the studies
tagged \`qc_ok\`), \`bench/select-bench.ts\`, median of ${RUNS} runs, including building the result objects.
Machine: ${machineLine()}.

| what | selector / filter | results | median | target |
|---|---|---|---|---|
${rows.join('\n')}`;
  console.log(text);
  writeSection('select', text);
}

if (process.argv[2] !== undefined) runSelectBench(join(process.argv[2]));
