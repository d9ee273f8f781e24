/**
 * The chaos test of issue 5 / SPEC "Targets": 200 concurrent `pay` requests with ONE Idempotency-Key,
 * spread over 4 API processes on one PostgreSQL database, while the fake provider (its own process)
 * times out after charging and drops connections, and the API process running the payment is killed
 * with SIGKILL in the middle of it. Checked at the provider's ledger: exactly one charge. The scenario
 * and its verdict are `testing/pay-chaos.ts` (shared with the topology test).
 *
 * The test runs against both idempotency stores. The lease is 6 s (IDEMPOTENCY_LEASE_SECONDS): short,
 * so a run takes seconds rather than production's 30 s, yet long enough that the process running the
 * payment is found and killed while it still holds the key, even on a busy two-core CI machine.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type ProviderAdmin, providerAdmin } from '@quickeats/payment-provider/client';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import { startProviderProcess } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { idempotencyStore, type StoreUnderTest } from './testing/idempotency-store';
import { runPayChaos } from './testing/pay-chaos';
import { type ApiProcess, startApiProcess } from './testing/test-app';

const PROCESSES = 4;
const LEASE_SECONDS = 6;

describe.each(['postgres', 'upstash'] as const)(
  'chaos: 200 concurrent pays with one key, %s store',
  (kind) => {
    let provider: SpawnedProvider;
    let admin: ProviderAdmin;
    let database: TestDatabase;
    let store: StoreUnderTest | undefined;
    const apis: ApiProcess[] = [];

    beforeAll(async () => {
      [provider, database] = await Promise.all([
        startProviderProcess(),
        createTestDatabase({ seed: { orders: 5 } }),
      ]);
      admin = providerAdmin(provider.url);
      store = await idempotencyStore(kind, 'chaos');
      const env: Record<string, string> = {
        ...store.env,
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: '5',
        PAYMENT_PROVIDER_URL: provider.url,
        // Longer than the test can take to find and kill the process running the charge the provider
        // holds, however loaded the machine: that request must still be in flight when it dies.
        PAYMENT_PROVIDER_TIMEOUT_MS: '60000',
        // The request deadline must not answer that request (503) before the test kills it.
        REQUEST_TIMEOUT_MS: '60000',
        IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS),
        LOG_LEVEL: 'error',
      };
      apis.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => startApiProcess(env)))));
    });

    afterAll(async () => {
      await Promise.all(apis.map((api) => api.stop('SIGTERM')));
      await store?.close();
      await provider?.stop();
      await database?.close();
    });

    it('charges exactly once; every answer is the same success or a 409; the stored success outlives the lease', async () => {
      const figures = await runPayChaos({
        db: database.db,
        admin,
        leaseSeconds: LEASE_SECONDS,
        deployment: {
          processes: PROCESSES,
          // Straight to the processes: a client picks a live one, as a balancer would.
          route: (p) => ({ baseUrl: apis[p ?? 0]!.url }),
          servedBy: () => undefined,
          pinRetries: true,
          lostStatuses: [],
          kill: (p) => apis[p]!.child.kill('SIGKILL'),
          pids: () => apis.map((api) => api.child.pid),
          output: () =>
            apis.map((api) => `--- ${api.name} ${api.url}\n${api.output().slice(-3000)}`).join('\n'),
        },
      });
      console.info(`CHAOS ${JSON.stringify({ store: kind, ...figures })}`);
    }, 600_000);
  },
);
