import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { LEAN_COMMANDS } from './lean-cli.js';
import { INDEX_COMMANDS } from './index-cli.js';
import { RUNNER_COMMANDS } from './runner-cli.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** Every module (relative to src/) and package the given source file reaches through static imports (or require). */
function staticImports(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    const rel = relative(SRC, file);
    if (modules.has(rel)) return;
    modules.add(rel);
    const text = readFileSync(file, 'utf8');
    // `import type` is erased at build time and loads nothing.
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s+)?'([^']+)';/gm)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
    // A CommonJS package may be loaded with createRequire (db/open-database.ts does, to save its
    // export-name parsing): it loads all the same.
    for (const m of text.matchAll(/\brequire\('([^'.][^']*)'\)/g)) packages.add(m[1] ?? '');
  };
  visit(join(SRC, entry));
  return { modules, packages };
}

describe('the lean entries (in-job and indexing commands)', () => {
  it('runs the very command specs of the whole CLI, so parsing, help and behaviour are the same', () => {
    for (const lean of [...LEAN_COMMANDS, ...INDEX_COMMANDS, ...RUNNER_COMMANDS])
      expect(COMMANDS).toContain(lean);
    expect(RUNNER_COMMANDS.map((c) => c.name)).toEqual(['run', 'rerun', 'resume']);
    expect(LEAN_COMMANDS.map((c) => c.name)).toEqual(['add', 'select', 'tag add', 'tag remove', 'record']);
    expect(INDEX_COMMANDS.map((c) => c.name)).toEqual(['create', 'projects', 'rescan']);
  });

  it.each(['cli/lean-cli.ts', 'cli/index-cli.ts'])(
    '%s loads none of the engine, executors, jobs, server or zod',
    (entry) => {
      const { modules, packages } = staticImports(entry);
      // Lists of words the schema's CHECK constraints share (db/migrations.ts) are fine.
      const wordLists = ['runs/task-states.ts', 'executors/executor-kinds.ts', 'users/project-roles.ts'];
      const heavy = [...modules].filter(
        (m) =>
          /^(engine|executors|jobs|server|runs|grid|batches|users|queues|demo)\//.test(m) &&
          !wordLists.includes(m),
      );
      expect(heavy).toEqual([]);
      expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual(['better-sqlite3']);
      // Sanity check of the walker itself: the whole CLI does reach the engine and zod.
      const whole = staticImports('cli/commands.ts');
      expect(whole.packages).toContain('zod');
      expect([...whole.modules].some((m) => m.startsWith('runs/engine'))).toBe(true);
    },
  );

  it('cli/runner-cli.ts loads the run path, not the tracts, DICOM import, QC or server', () => {
    const { modules } = staticImports('cli/runner-cli.ts');
    expect([...modules].some((m) => m.startsWith('runs/engine'))).toBe(true);
    const unneeded = [...modules].filter((m) => /^(tracts|catalog\/dicom|server|qc|demo)\//.test(m));
    expect(unneeded).toEqual([]);
  });
});
