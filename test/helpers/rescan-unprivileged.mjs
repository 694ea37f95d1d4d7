// Rescans the only project of a catalog as an unprivileged user, printing the IndexResult as JSON.
// Root reads every folder, so unreadable-folder tests drop to `nobody` here, after the modules are
// loaded: the checkout itself need not be readable by nobody (CI may keep it under /root).
import { resolveConfig } from '../../dist/config/resolve-config.js';
import { openCatalog } from '../../dist/catalog/catalog.js';
import { findProject } from '../../dist/catalog/project-store.js';
import { indexProject } from '../../dist/catalog/indexer/index-project.js';

const NOBODY = 65534;
const catalog = openCatalog(resolveConfig({ home: process.argv[2] }, {}));
const project = findProject(catalog.db, undefined);
if (process.getuid?.() === 0) {
  process.setgid(NOBODY);
  process.setuid(NOBODY);
}
const result = await indexProject(catalog, project, { threads: 1 });
catalog.close();
console.log(JSON.stringify(result));
