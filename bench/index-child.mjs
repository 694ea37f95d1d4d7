// Runs one index of a project in a fresh process and prints {ms, maxRssMB, counts} as JSON.
// Kept as plain JS over the built dist/ so the figure is what `cohort` users get, without tsx's loader.
import { resolveConfig } from '../dist/config/resolve-config.js';
import { openCatalog } from '../dist/catalog/catalog.js';
import { createProject, findProject } from '../dist/catalog/project-store.js';
import { indexProject } from '../dist/catalog/indexer/index-project.js';

const [home, root, mode] = process.argv.slice(2);
const catalog = openCatalog(resolveConfig({ home }, {}));
const started = performance.now();
const project =
  mode === 'create'
    ? createProject(catalog.db, { name: 'bench', root, layout: 'folders' })
    : findProject(catalog.db, 'bench');
const result = await indexProject(catalog, project);
const ms = performance.now() - started;
catalog.close();
console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, counts: result.counts }));
