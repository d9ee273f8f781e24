/**
 * Fault test (issue 11): the Redis behind the Upstash idempotency store killed (SIGKILL) under an
 * 8-connection burst of creates, pays and reads across 2 API processes, then started again. Redis,
 * the Upstash bridge in front of it, PostgreSQL (a private initdb cluster), the provider and the
 * API processes are the test's own. The contract (README "What happens when PostgreSQL, Redis or
 * the provider fails"): keyed writes answer 503 with Retry-After while the store is unreachable —
 * no fallback to PostgreSQL, which would let one key run twice across the two stores — reads go
 * on, no process dies, recovery is automatic, and nothing is lost or done twice. The figures are
 * printed for the README.
 */
import type { DbHandle } from '@quickeats/db';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import {
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
  startProviderProcess,
} from '@quickeats/test-support';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type faultBurst, startFaultDeployment } from '../testing/fault-burst';
import type { ApiProcess } from '../testing/test-app';

describe('Redis (Upstash idempotency store) killed and restarted under load', () => {
  let redis: PrivateRedis;
  let bridge: UpstashBridge;
  let pg: PrivatePostgres;
  let db: DbHandle;
  let provider: SpawnedProvider;
  let apis: ApiProcess[] = [];
  let burst: ReturnType<typeof faultBurst>;

  beforeAll(async () => {
    [redis, pg, provider] = await Promise.all([
      startPrivateRedis(),
      startPrivatePostgres(),
      startProviderProcess(),
    ]);
    bridge = await startUpstashBridge({ redisUrl: redis.url });
    ({ apis, db, burst } = await startFaultDeployment({
      databaseUrl: pg.adminUrl,
      providerUrl: provider.url,
      env: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token },
      idempotencyInPostgres: false,
    }));
  });

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await bridge?.close();
    await redis?.destroy();
    await provider?.stop();
    await db?.close().catch(() => {});
    await pg?.destroy();
  });

  it('kill -9, restart: keyed writes 503 with Retry-After, reads go on, no process dies, recovery, nothing lost', async () => {
    const { during } = await burst.underFault(
      'redis killed',
      () => redis.kill(),
      () => redis.start(),
    );
    burst.checkContract(during);
    expect(during.filter((a) => a.surface !== 'read').some((a) => a.status === 503)).toBe(true);
    // Reads never touch the idempotency store: they go on during the outage.
    expect(during.filter((a) => a.surface === 'read').every((a) => a.status === 200)).toBe(true);
    await burst.checkConsistency();
  }, 600_000);
});
