/** `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers). */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context';

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/healthz', async (c) => {
    const started = performance.now();
    try {
      await deps.dbHandle.ping();
      return c.json({
        status: 'ok',
        database: { driver: deps.dbHandle.driver, latencyMs: Math.round(performance.now() - started) },
      });
    } catch (err) {
      c.var.log.error({ err }, 'health check: database unreachable');
      return c.json(
        { status: 'unavailable', database: { driver: deps.dbHandle.driver, error: 'unreachable' } },
        503,
      );
    }
  });
}
