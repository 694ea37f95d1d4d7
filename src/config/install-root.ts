import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installation's root folder (package.json, libexec/, library/, dist/), found by walking up from
 * this module to the first folder holding package.json: the same answer from src/ (tests), from dist/
 * and from a bundle in dist/cli/ (scripts/bundle-entries.sh), where paths relative to a module's own
 * place (`new URL('../../x', import.meta.url)`) would point elsewhere.
 */
export const INSTALL_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '../..'); // src/config or dist/config
  }
}
