/**
 * The hub reads the outbox only while someone waits for events: a wake-up nobody waits for reads
 * nothing, and whoever comes next (a reader, a waiter, a subscriber "from now") gets the hub to
 * catch up first, so nothing is missed and "from now" means now. Real PostgreSQL and LISTEN/NOTIFY.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import type { OrderStreamEvent } from '@quickeats/domain';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { EventHub } from './hub';
import type { OutboxEvent } from './outbox';

let database: TestDatabase;
let sql: postgres.Sql;
let orderId: string;
let version = 1000;

beforeAll(async () => {
  database = await createTestDatabase({ seed: { orders: 1 } });
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const [row] = await sql<{ id: string }[]>`select id from orders limit 1`;
  orderId = row!.id;
});
afterAll(async () => {
  await sql?.end();
  await database?.close();
});

/** One committed event (its NOTIFY wakes every hub); resolves with its position. */
async function commitEvent(): Promise<bigint> {
  const [row] = await sql<{ position: string }[]>`insert into order_events
      (order_id, action, from_status, to_status, version)
    values (${orderId}, 'accept', 'paid', 'accepted', ${version++}) returning position::text`;
  return BigInt(row!.position);
}

describe('the event hub', () => {
  it('reads nothing while nobody waits, then catches up for the next reader, waiter and subscriber', async () => {
    const batches: OutboxEvent[][] = [];
    const hub = new EventHub({
      db: database.db,
      listen: database.listen,
      logger: createLogger('silent'),
      onBatch: (b) => batches.push([...b]),
    });
    try {
      await hub.ready();
      // Nobody waits: the wake-up comes (nextWake), the outbox is not read.
      let woken = hub.nextWake();
      const first = await commitEvent();
      await woken;
      expect(batches).toEqual([]);
      // A reader gets the hub to catch up before answering.
      expect((await hub.read(0n)).map((e) => e.position)).toContain(first);
      expect(batches.flat().map((e) => e.position)).toEqual([first]);

      // Unread again; a subscriber "from now" starts after it, not at the stale head.
      woken = hub.nextWake();
      const second = await commitEvent();
      await woken;
      const abort = new AbortController();
      const seen: OrderStreamEvent[] = [];
      const subscribed = hub.subscribe({ filter: () => true, signal: abort.signal });
      const firstSeen = subscribed.next();
      // The subscription registered as a waiter: the next event is read and delivered.
      const third = await commitEvent();
      const next = await firstSeen;
      if (!next.done) seen.push(next.value);
      abort.abort();
      expect(seen.map((e) => BigInt(e.position))).toEqual([third]);
      expect(batches.flat().map((e) => e.position)).toEqual([first, second, third]);

      // A waiter behind the head is answered once the hub caught up.
      woken = hub.nextWake();
      const fourth = await commitEvent();
      await woken;
      await hub.waitFor(third);
      expect(hub.position).toBe(fourth);
    } finally {
      await hub.close();
    }
  });
});
