/**
 * SPEC "Targets": 64 concurrent accept/cancel/reject on one order, sent through two separately
 * started API processes on the same PostgreSQL database → exactly one success, the rest 412/409,
 * zero 5xx, and an event log that agrees with the order (one event per version).
 */
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, demoClients, orderIn } from '../testing/orders-fixture';
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
    const tokens = {
      owner: await t.tokenFor(DEMO_ACCOUNTS.owner),
      customer: await t.tokenFor(DEMO_ACCOUNTS.customer),
      admin: await t.tokenFor(DEMO_ACCOUNTS.admin),
    };
    const attempts = Array.from({ length: 64 }, (_, i) => {
      const api = processes[i % 2]!;
      const fetcher = (path: string, init?: RequestInit) => fetch(`${api.url}${path}`, init);
      const [who, action] = (
        [
          ['owner', 'accept'],
          ['customer', 'cancel'],
          ['owner', 'reject'],
          ['admin', 'cancel'],
        ] as const
      )[i % 4]!;
      return {
        process: i % 2,
        action,
        run: () => client(fetcher, tokens[who]).act(order.id, action, order.version),
      };
    });
    const results = await Promise.all(attempts.map(async (a) => ({ ...a, res: await a.run() })));

    const statuses = results.map((r) => r.res.status);
    const tally = Object.fromEntries(
      [...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]),
    );
    console.info('race outcome by status:', tally);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 412 || s === 409)).toBe(true);
    // Both processes really served requests.
    expect(new Set(results.map((r) => r.process))).toEqual(new Set([0, 1]));

    const winner = results.find((r) => r.res.status === 200)!;
    const [row] = await executeRows<{ status: string; version: number }>(
      t.database.db,
      sql`select status, version from orders where id = ${order.id}`,
    );
    expect(row).toEqual({ status: winner.res.body.data!.attributes.status, version: order.version + 1 });
    const events = await executeRows<{ version: number; to_status: string; action: string }>(
      t.database.db,
      sql`select version, to_status, action from order_events where order_id = ${order.id} order by version`,
    );
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: order.version + 1 }, (_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ to_status: row!.status, action: winner.action });
    // Losers were told the truth: 412s carry the version that won.
    for (const r of results.filter((x) => x.res.status === 412))
      expect(r.res.body.currentVersion).toBe(order.version + 1);
  });
});
