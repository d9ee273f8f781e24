/**
 * The event hub reads the outbox on a commit only while somebody waits for events: a process that
 * nobody streams from (and whose webhook fan-out has no endpoint) pays no query per write. Whoever
 * comes next still sees the log exactly: a live subscriber from the outbox's head, a resuming one
 * from its position. Real PostgreSQL, real LISTEN/NOTIFY.
 */
import type { Database } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { EventHub } from './hub';

let database: TestDatabase;
let sql: postgres.Sql;
let orderId: string;

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

let nextVersion = 5000;
/** Commit one event row for the seeded order (its NOTIFY wakes every hub); its position. */
const commitEvent = async () => {
  const [row] = await sql<{ position: string }[]>`
    insert into order_events (order_id, action, from_status, to_status, version)
    values (${orderId}, 'accept', 'paid', 'accepted', ${nextVersion++}) returning position::text`;
  return row!.position;
};

/** A hub whose statements are counted (the database is the real one; only `execute` is observed). */
function countedHub() {
  const counter = { statements: 0 };
  const db = new Proxy(database.db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'execute' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counter.statements++;
        return value.apply(target, args);
      };
    },
  }) as Database;
  const hub = new EventHub({ db, listen: database.listen, logger: createLogger('silent') });
  return { hub, counter };
}

describe('the event hub', () => {
  it('reads nothing on a commit nobody waits for, and a live subscriber still starts at the head', async () => {
    const { hub, counter } = countedHub();
    try {
      await hub.ready();
      const before = counter.statements;
      const seen = hub.wakes;
      const missed = await commitEvent();
      // The commit's notification has reached the hub; a hub that read on every wake-up would have
      // issued its outbox query in that same call.
      await hub.wokenSince(seen);
      expect(counter.statements).toBe(before);

      // A live subscription starts after what was committed before it (not at the stale position
      // the hub stopped reading at) and gets what is committed once it is returned, even before its
      // first pull (an SSE stream says "connected" then).
      const live = await hub.subscribe({ filter: () => true });
      const next = await commitEvent();
      const got = await live.next();
      expect(got.value).toMatchObject({ position: next });
      await live.return(undefined);
      expect(BigInt(missed)).toBeLessThan(BigInt(next));
    } finally {
      await hub.close();
    }
  });

  it('gives a resuming subscriber and a reader every event committed while nobody waited', async () => {
    const { hub } = countedHub();
    try {
      await hub.ready();
      const start = hub.position;
      const seen = hub.wakes;
      const a = await commitEvent();
      const b = await commitEvent();
      await hub.wokenSince(seen);
      expect((await hub.read(start)).map((e) => e.event.position)).toEqual([a, b]);

      const resumed = await hub.subscribe({ after: start, filter: () => true });
      const positions: string[] = [];
      for await (const event of resumed) {
        positions.push(event.position);
        if (positions.length === 2) break;
      }
      expect(positions).toEqual([a, b]);
    } finally {
      await hub.close();
    }
  });

  it('after an unwatched stretch longer than its window, reads only the window; a resuming subscriber still gets all of it', async () => {
    const read: number[] = [];
    const hub = new EventHub({
      db: database.db,
      listen: database.listen,
      logger: createLogger('silent'),
      windowSize: 20,
      onBatch: (batch) => read.push(batch.length),
    });
    try {
      await hub.ready();
      const start = hub.position;
      const seen = hub.wakes;
      const stretch: string[] = [];
      for (let i = 0; i < 100; i++) stretch.push(await commitEvent());
      await hub.wokenSince(seen);

      // The first live subscriber: the hub catches up from the window's start, not from `start`.
      const live = await hub.subscribe({ filter: () => true });
      expect(read.reduce((n, b) => n + b, 0)).toBeLessThanOrEqual(20);
      const next = await commitEvent();
      expect((await live.next()).value).toMatchObject({ position: next });
      await live.return(undefined);

      const resumed = await hub.subscribe({ after: start, filter: () => true });
      const positions: string[] = [];
      for await (const event of resumed) {
        positions.push(event.position);
        if (positions.length === stretch.length + 1) break;
      }
      expect(positions).toEqual([...stretch, next]);
    } finally {
      await hub.close();
    }
  });

  it('wokenSince resolves at once for a wake-up already seen, and on close', async () => {
    const { hub } = countedHub();
    await hub.ready();
    const seen = hub.wakes;
    hub.wake();
    await hub.wokenSince(seen); // already woken: resolves without another commit
    const pending = hub.wokenSince(hub.wakes);
    await hub.close();
    await pending;
    expect(hub.isClosed).toBe(true);
  });
});
