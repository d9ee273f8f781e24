/**
 * SPEC "Targets": 64 concurrent accept/cancel/reject on one order, sent through two separately
 * started API processes on the same PostgreSQL database → exactly one success, the rest 412/409,
 * zero 5xx, and an event log that agrees with the order (one event per version). The scenario and its
 * verdict are `testing/race-scenario.ts`, shared with the topology test (HAProxy, PgBouncer, replica).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoClients, orderIn } from '../testing/orders-fixture';
import { runActionRace } from '../testing/race-scenario';
import {
  type ApiProcess,
  createTestApp,
  DEMO_ACCOUNTS,
  startApiProcess,
  type TestApp,
} from '../testing/test-app';

describe('racing actions across two API processes', () => {
  let t: TestApp;
  const processes: ApiProcess[] = [];
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    const started = await Promise.all([
      startApiProcess({ DATABASE_URL: t.database.url }),
      startApiProcess({ DATABASE_URL: t.database.url }),
    ]);
    processes.push(...started);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await t?.close();
  });

  it('64 concurrent accept/cancel/reject on one paid order: exactly one wins, no 5xx, log consistent', async () => {
    const order = await orderIn(t, await demoClients(t), 'paid');
    const results = await runActionRace({
      db: t.database.db,
      order,
      tokens: {
        owner: await t.tokenFor(DEMO_ACCOUNTS.owner),
        customer: await t.tokenFor(DEMO_ACCOUNTS.customer),
        admin: await t.tokenFor(DEMO_ACCOUNTS.admin),
      },
      fetcherFor: (i) => (path, init) => fetch(`${processes[i % 2]!.url}${path}`, init),
    });
    // Both processes really served requests.
    expect(new Set(results.map((r) => r.i % 2))).toEqual(new Set([0, 1]));
  });
});
