#!/usr/bin/env node
import { resolveConfig } from '../config/resolve-config.js';
import { runCli } from './run-cli.js';

// The only place that touches process globals: everything below takes them as arguments.
const code = await runCli(process.argv.slice(2), resolveConfig(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
