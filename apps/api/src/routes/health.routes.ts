/**
 * Health endpoints (SPEC "When dependencies fail"):
 * - `GET /healthz` — liveness: the process serves HTTP. It never touches a dependency, so it answers
 *   at once whatever PostgreSQL, Redis or the provider do (a load balancer must not restart a
 *   process because the database is down; the supervisor restarts processes that die).
 * - `GET /readyz` — readiness: 200 when the database, the idempotency store's Redis (when
 *   configured) and the payment provider answer, each check bounded by READY_CHECK_TIMEOUT_MS;
 *   503 with `Retry-After` while one of them does not, or while the process drains after SIGTERM.
 */
import { OUTAGE_RETRY_AFTER_SECONDS } from '@quickeats/domain';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context';

export const READY_CHECK_TIMEOUT_MS = 2000;

type CheckResult = { status: 'ok'; latencyMs: number } | { status: 'unavailable'; error: string };

async function bounded(check: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`)),
          READY_CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'unavailable', error: err instanceof Error ? err.message : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) =>
      // `pid` tells the workers of one supervisor apart (operators, and the supervisor's tests).
      c.json({ status: 'ok', pid: process.pid, database: { driver: deps.dbHandle.driver } }),
    )
    .get('/readyz', async (c) => {
      const draining = deps.draining?.() ?? false;
      const [database, idempotencyStore, paymentProvider] = await Promise.all([
        bounded(() => deps.dbHandle.ping()),
        deps.idempotency.ping ? bounded(() => deps.idempotency.ping?.() as Promise<void>) : undefined,
        // A lookup of a key nobody charged: any answer (404 → null) proves the provider is reachable.
        bounded(() => deps.paymentProvider.findChargeByKey('readyz-probe')),
      ]);
      const checks = {
        database: { driver: deps.dbHandle.driver, ...database },
        ...(idempotencyStore
          ? { idempotencyStore: { kind: deps.idempotency.kind, ...idempotencyStore } }
          : {}),
        paymentProvider,
      };
      const ready = !draining && Object.values(checks).every((check) => check.status === 'ok');
      if (!ready) {
        const failing = Object.entries(checks)
          .filter(([, check]) => check.status !== 'ok')
          .map(([name]) => name);
        c.var.log.warn({ draining, failing }, 'not ready');
        c.header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
      }
      return c.json(
        { status: ready ? 'ok' : draining ? 'draining' : 'unavailable', checks },
        ready ? 200 : 503,
      );
    });
}
