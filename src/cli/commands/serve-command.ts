import type { CommandSpec } from '../command-spec.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary:
    'Start the web server: the HTTP API (/api) and the web UI. Runs started from the web run in this process.',
  args: [],
  options: {
    port: {
      type: 'integer',
      min: 0,
      max: 65535,
      default: 8080,
      value: 'PORT',
      description: 'Port to listen on (0: any free port).',
    },
    host: {
      type: 'string',
      value: 'HOST',
      description: 'Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for all).',
    },
  },
  examples: ['cohort serve', 'cohort serve --port 9000 --host 0.0.0.0'],
  async run(ctx) {
    const port = ctx.options.port as number;
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
