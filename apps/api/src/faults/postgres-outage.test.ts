/**
 * Fault test (issue 11): PostgreSQL restarted (`pg_ctl stop -m immediate`, then start) and frozen
 * (SIGSTOP on every process of the cluster, then SIGCONT) under an 8-connection burst of creates,
 * pays and reads across 2 API processes. The cluster, the provider and the API processes are the
 * test's own (never the shared PostgreSQL). Each fault asserts: no API process exits, every answer
 * during the outage is 2xx or a 503/502 with Retry-After and none outlives the request deadline
 * (plus scheduling slack), the API recovers by itself, and afterwards the provider's ledger equals
 * the payments table, every order's events match its version, and no idempotency key stays held.
 * The figures of each fault are printed for the README.
 */
import type { DbHandle } from '@quickeats/db';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import { type PrivatePostgres, startPrivatePostgres, startProviderProcess } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type faultBurst, startFaultDeployment } from '../testing/fault-burst';
import type { ApiProcess } from '../testing/test-app';

describe('PostgreSQL restarted and frozen under load', () => {
  let pg: PrivatePostgres;
  let provider: SpawnedProvider;
  let apis: ApiProcess[] = [];
  let db: DbHandle;
  let burst: ReturnType<typeof faultBurst>;

  beforeAll(async () => {
    [pg, provider] = await Promise.all([startPrivatePostgres(), startProviderProcess()]);
    ({ apis, db, burst } = await startFaultDeployment({
      databaseUrl: pg.adminUrl,
      providerUrl: provider.url,
      idempotencyInPostgres: true,
    }));
  });

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await db?.close().catch(() => {});
    await provider?.stop();
    await pg?.destroy();
  });

  it('restart (stop -m immediate, start): no process dies, 503s with Retry-After, recovery, nothing lost', async () => {
    const { during } = await burst.underFault(
      'postgres restart',
      () => pg.stop('immediate'),
      () => pg.start(),
    );
    burst.checkContract(during);
    expect(during.some((a) => a.status === 503)).toBe(true);
    await burst.checkConsistency();
  }, 600_000);

  it('freeze (SIGSTOP, SIGCONT): answers within the deadline, recovery, nothing lost', async () => {
    const { during } = await burst.underFault(
      'postgres freeze',
      () => pg.freeze(),
      () => pg.thaw(),
    );
    burst.checkContract(during);
    expect(during.some((a) => a.status === 503)).toBe(true);
    await burst.checkConsistency();
  }, 600_000);
});
