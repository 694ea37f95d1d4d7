#!/usr/bin/env node
import { resolveConfig } from '../config/resolve-config.js';
import { runCli } from './run-cli.js';

// A reader that stops early (`cohort files P001 | head -3`) closes the pipe: that is not a failure of
// the command, so it ends quietly, as `ls | head` does, instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The only place that touches process globals: everything below takes them as arguments.
const code = await runCli(process.argv.slice(2), resolveConfig(), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
