/**
 * SPEC "Targets", the 64-way race, as a scenario any deployment can be put through: 64 concurrent
 * accept/cancel/reject on one paid order (owner, customer, admin), then the verdict — exactly one
 * success, the rest 412/409, zero 5xx, the order and its event log agreeing (one event per version),
 * and every 412 naming the version that won. Run by `routes/orders.race.test.ts` (two processes,
 * straight to PostgreSQL) and `topology.test.ts` (HAProxy, PgBouncer, replica).
 */
import { type Database, executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { type ApiResponse, client, type Fetcher } from './orders-fixture';

export const RACE_ATTEMPTS = 64;

export interface RaceOptions {
  /** Where the checks read the truth (the primary). */
  db: Database;
  order: { id: string; version: number };
  tokens: { owner: string; customer: string; admin: string };
  /** How attempt `i` reaches the API (a process of its own, or the balancer). */
  fetcherFor(i: number): Fetcher;
}

export interface RaceAttempt {
  i: number;
  action: 'accept' | 'cancel' | 'reject';
  res: ApiResponse;
}

/** Run the race and assert its verdict; returns every attempt (callers check who served them). */
export async function runActionRace(options: RaceOptions): Promise<RaceAttempt[]> {
  const { order, tokens, db } = options;
  const results = await Promise.all(
    Array.from({ length: RACE_ATTEMPTS }, async (_, i) => {
      const [who, action] = (
        [
          ['owner', 'accept'],
          ['customer', 'cancel'],
          ['owner', 'reject'],
          ['admin', 'cancel'],
        ] as const
      )[i % 4]!;
      const res = await client(options.fetcherFor(i), tokens[who]).act(order.id, action, order.version);
      return { i, action, res };
    }),
  );

  const statuses = results.map((r) => r.res.status);
  const tally = Object.fromEntries(
    [...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length]),
  );
  console.info('race outcome by status:', tally);
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(
    results
      .filter((r) => ![200, 409, 412].includes(r.res.status))
      .map(
        (r) =>
          `${r.res.status} ${r.res.headers.get('x-served-by') ?? ''} ${JSON.stringify(r.res.body).slice(0, 300)}`,
      ),
  ).toEqual([]);

  const winner = results.find((r) => r.res.status === 200)!;
  const [row] = await executeRows<{ status: string; version: number }>(
    db,
    sql`select status, version from orders where id = ${order.id}`,
  );
  expect(row).toEqual({ status: winner.res.body.data!.attributes.status, version: order.version + 1 });
  const events = await executeRows<{ version: number; to_status: string; action: string }>(
    db,
    sql`select version, to_status, action from order_events where order_id = ${order.id} order by version`,
  );
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: order.version + 1 }, (_, i) => i + 1));
  expect(events.at(-1)).toMatchObject({ to_status: row!.status, action: winner.action });
  // Losers were told the truth: 412s carry the version that won.
  for (const r of results.filter((x) => x.res.status === 412))
    expect(r.res.body.currentVersion).toBe(order.version + 1);
  return results;
}
