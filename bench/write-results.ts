import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));

/**
 * Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/benchmarks.md
 * (appending it when absent), so each benchmark rewrites only its own figures. The file is then put
 * in Prettier's form (tables aligned), as `npm run lint` checks it.
 */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const doc = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  const next =
    from >= 0 && to > from
      ? doc.slice(0, from) + block + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
  const prettier = fileURLToPath(new URL('../node_modules/.bin/prettier', import.meta.url));
  const formatted = spawnSync(prettier, ['--write', FILE], { encoding: 'utf8' });
  if (formatted.status !== 0) console.error(`prettier --write ${FILE} failed: ${formatted.stderr}`);
}
