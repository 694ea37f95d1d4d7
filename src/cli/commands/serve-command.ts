import { invalidInput } from '../../errors/cohort-error.js';
import type { CommandSpec } from '../command-spec.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary:
    'Start the web server: the HTTP API (/api) and the web UI. Runs started from the web run in this process.',
  args: [],
  options: {
    port: {
      type: 'string',
      value: 'PORT',
      description: 'Port to listen on (default 8080; 0: any free port).',
    },
    host: {
      type: 'string',
      value: 'HOST',
      description: 'Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for all).',
    },
  },
  examples: ['cohort serve', 'cohort serve --port 9000 --host 0.0.0.0'],
  async run(ctx) {
    const port = typeof ctx.options.port === 'string' ? Number(ctx.options.port) : 8080;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidInput(`Invalid port '${String(ctx.options.port)}'.`, 'Give a number from 0 to 65535.');
    }
    // Loaded here, not at the top: the server (Hono and every route) would add a quarter of a second
    // to each `cohort` call, also the ones inside running jobs.
    const { startServer } = await import('../../server/serve.js');
    const server = await startServer(ctx.config, {
      port,
      ...(typeof ctx.options.host === 'string' ? { host: ctx.options.host } : {}),
    });
    ctx.print(`Cohort server on ${server.url} (Ctrl-C stops it).`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
  },
};
