import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/**
 * The client's address for rate limiting: the TCP peer. Forwarded-for headers are ignored: any client
 * can write them, and a limit they could reset would be no limit. Requests made in-process
 * (`app.request` in tests) have no socket and count as `local`.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming?.socket.remoteAddress ?? 'local';
}
