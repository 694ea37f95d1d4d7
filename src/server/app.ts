import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { authenticate } from './auth/authenticate.js';
import { csrfGuard } from './auth/csrf-guard.js';
import { handleError, handleNotFound } from './http-errors.js';
import { authRoutes } from './routes/auth-routes.js';
import { batchRoutes } from './routes/batch-routes.js';
import { catalogRoutes } from './routes/catalog-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { fileRoutes } from './routes/file-routes.js';
import { debugRoutes } from './routes/debug-routes.js';
import { gridRoutes } from './routes/grid-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { mountStatic } from './routes/static-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { queueRoutes } from './routes/queue-routes.js';
import { autoRoutes } from './routes/auto-routes.js';
import { projectRoutes } from './routes/project-routes.js';
import { operationRoutes } from './routes/operation-routes.js';
import { plotRoutes } from './routes/plot-routes.js';
import { qcRoutes } from './routes/qc-routes.js';
import { viewerRoutes } from './routes/viewer-routes.js';
import type { AppEnv, ServerContext } from './server-context.js';
import { ApiProblem } from './api-problem.js';

/** Request bodies larger than this are refused (413): a batch or a list of 10,000 paths is far smaller. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The HTTP app over a server context: `/api/auth` (login is the only route without authentication),
 * everything else under `/api` behind {@link authenticate} and per-project rights, the static UI
 * elsewhere. Tests call `app.request(...)` on it; serve.ts puts it on a socket.
 */
export function createApp(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.use('*', async (c, next) => {
    c.set('ctx', ctx);
    await next();
  });
  const api = new Hono<AppEnv>();
  api.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiProblem('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  api.use('*', async (c, next) => {
    await next();
    // API answers are data: never cached by a shared proxy, never sniffed into HTML.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
  });
  // Before every route, login included (a forged login would sign the victim into the attacker's account).
  api.use('*', csrfGuard);
  api.route('/auth', authRoutes());
  // Registered after the auth routes, which authenticate their own endpoints (login needs none).
  api.use('*', authenticate);
  api.route('/', catalogRoutes());
  api.route('/', fileRoutes());
  api.route('/', batchRoutes());
  api.route('/', jobRoutes());
  api.route('/', gridRoutes());
  api.route('/', debugRoutes());
  api.route('/', userRoutes());
  api.route('/', queueRoutes());
  api.route('/', autoRoutes());
  api.route('/', projectRoutes());
  api.route('/', operationRoutes());
  api.route('/', eventRoutes());
  api.route('/', qcRoutes());
  api.route('/', plotRoutes());
  api.route('/', exportRoutes());
  api.route('/', viewerRoutes());
  api.notFound(handleNotFound);
  app.route('/api', api);
  app.all('/api/*', handleNotFound);
  mountStatic(app, ctx.staticDir);
  return app;
}
