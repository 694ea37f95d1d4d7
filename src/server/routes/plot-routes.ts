import { Hono } from 'hono';
import { lossCurves } from '../../plots/loss-curves.js';
import { measurePoints } from '../../plots/measure-points.js';
import { profilePoints } from '../../plots/profile-points.js';
import {
  lossesPlotQuery,
  measuresPlotQuery,
  profilesPlotQuery,
  type LossesPlotResponse,
  type MeasuresPlotResponse,
  type ProfilesPlotResponse,
} from '../api-plot-types.js';
import { authorizeProject } from '../auth/rights.js';
import { readQuery } from '../read-request.js';
import type { AppEnv } from '../server-context.js';

/** The data behind the plots page: measures per group, along-tract profiles, training curves. */
export function plotRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/projects/:project/plots/measures', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, measuresPlotQuery);
    const points = measurePoints(c.var.ctx.catalog.db, project, q.selector, {
      level: q.groupLevel,
      tags: q.groups,
    });
    return c.json({ points } satisfies MeasuresPlotResponse);
  });
  app.get('/projects/:project/plots/profiles', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, profilesPlotQuery);
    const grouping = { level: q.groupLevel, tags: q.groups };
    return c.json(
      profilePoints(
        c.var.ctx.catalog.db,
        project,
        q.selector,
        q.pattern,
        grouping,
      ) satisfies ProfilesPlotResponse,
    );
  });
  app.get('/projects/:project/plots/losses', (c) => {
    const project = authorizeProject(c, 'read');
    const q = readQuery(c, lossesPlotQuery);
    return c.json(lossCurves(c.var.ctx.catalog.db, project, q.pattern) satisfies LossesPlotResponse);
  });
  return app;
}
