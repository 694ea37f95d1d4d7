#!/usr/bin/env node
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../config/resolve-config.js';
import type { runLeanCli } from './lean-cli.js';
import type { runTractsCli } from './tracts-cli.js';
import type { runRunnerCli } from './runner-cli.js';
import type { CliStreams } from './run-command.js';

// A reader that stops early (`cohort files P001 | head -3`) closes the pipe: that is not a failure of
// the command, so it ends quietly, as `ls | head` does, instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The only place that touches process globals: everything below takes them as arguments.
const argv = process.argv.slice(2);
const config = resolveConfig();
const io: CliStreams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

// Commands timed as whole processes load only their own code: jobs call `cohort add/select/tag` once
// per output (lean-cli.ts, bundled into one file by the build), and an index is compared with `find`
// (index-cli.ts). Every other command line, `--help` included, loads the whole CLI. The words are
// inlined so that choosing loads nothing.
const first = argv[0] ?? '';
let code: number | null = null;
if (['add', 'select', 'tag'].includes(first)) {
  // Without a bundle newer than the modules (running the TypeScript sources, or after a bare `tsc`)
  // the same code loads module by module.
  const bundle = new URL('./lean-cli.bundle.js', import.meta.url);
  const fresh = newer(bundle, new URL('./lean-cli.js', import.meta.url));
  const lean = (await (fresh ? import(bundle.href) : import('./lean-cli.js'))) as {
    runLeanCli: typeof runLeanCli;
  };
  code = await lean.runLeanCli(argv, config, io);
} else if (first === 'nora' || argv0IsNora()) {
  // NORA job scripts call `nora ...` (a shim on the job's PATH runs `cohort nora ...`).
  const { runNora } = await import('./nora/run-nora.js');
  code = await runNora(first === 'nora' ? argv.slice(1) : argv, config, process.env, io);
} else if (first === 'tracts') {
  // Timed against MRtrix3 as a whole process: the tract commands alone, bundled like the lean CLI.
  const bundle = new URL('./tracts-cli.bundle.js', import.meta.url);
  const fresh = newer(bundle, new URL('./tracts-cli.js', import.meta.url));
  const tracts = (await (fresh ? import(bundle.href) : import('./tracts-cli.js'))) as {
    runTractsCli: typeof runTractsCli;
  };
  code = await tracts.runTractsCli(argv, config, io);
} else if (['create', 'rescan', 'projects'].includes(first)) {
  const { runIndexCli } = await import('./index-cli.js');
  code = await runIndexCli(argv, config, io);
} else if (['run', 'rerun', 'resume'].includes(first)) {
  // Timed against `xargs` as a whole process: the run commands alone, bundled like the lean CLI, as
  // CommonJS loaded with V8's code cache (cached-bundle.ts).
  const bundle = new URL('./runner-cli.bundle.cjs', import.meta.url);
  const fresh = newer(bundle, new URL('./runner-cli.js', import.meta.url));
  const { loadCachedBundle } = await import('./cached-bundle.js');
  const cached = fresh ? loadCachedBundle(fileURLToPath(bundle), bundle.href)?.exports : undefined;
  const runner = (cached ?? (await import('./runner-cli.js'))) as {
    runRunnerCli: typeof runRunnerCli;
  };
  code = await runner.runRunnerCli(argv, config, io);
}
if (code === null) {
  const { runCli } = await import('./run-cli.js');
  code = await runCli(argv, config, io);
}
process.exitCode = code;

/** Whether `file` exists and is at least as new as `than` (or `than` is absent). */
function newer(file: URL, than: URL): boolean {
  const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  return mtime !== undefined && mtime >= (statSync(than, { throwIfNoEntry: false })?.mtimeMs ?? 0);
}

/** Invoked through a link named `nora`. */
function argv0IsNora(): boolean {
  return /(^|\/)nora$/.test(process.argv[1] ?? '');
}
