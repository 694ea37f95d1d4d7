#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolveConfig } from '../config/resolve-config.js';
import type { runLeanCli } from './lean-cli.js';
import type { CliStreams } from './run-command.js';

// The only place that touches process globals: everything below takes them as arguments.
const argv = process.argv.slice(2);
const config = resolveConfig();
const io: CliStreams = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

// Jobs call `cohort add/select/tag` once per output: those load only their own code, bundled into one
// file by the build (lean-cli.ts); every other command line, `--help` included, loads the whole CLI.
// The words are inlined so that choosing loads nothing.
const LEAN_FIRST_WORDS = ['add', 'select', 'tag'];
let code: number | null = null;
if (LEAN_FIRST_WORDS.includes(argv[0] ?? '')) {
  const bundle = new URL('./lean-cli.bundle.js', import.meta.url);
  // Without the bundle (running the TypeScript sources) the same code loads module by module.
  const lean = (await (existsSync(bundle) ? import(bundle.href) : import('./lean-cli.js'))) as {
    runLeanCli: typeof runLeanCli;
  };
  code = await lean.runLeanCli(argv, config, io);
}
if (code === null) {
  const { runCli } = await import('./run-cli.js');
  code = await runCli(argv, config, io);
}
process.exitCode = code;
