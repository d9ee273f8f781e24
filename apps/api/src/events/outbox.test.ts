/**
 * The outbox never lets a reader pass a position whose transaction is still in flight: positions are
 * drawn in one order and committed in another, and a reader that returned the later one first would
 * skip the earlier one for good. Real PostgreSQL, two real concurrent transactions.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxHorizon, readOutbox } from './outbox';

let database: TestDatabase;
let sql: postgres.Sql;
let orderId: string;

beforeAll(async () => {
  database = await createTestDatabase({ seed: { orders: 5 } });
  sql = postgres(database.url, { max: 3, onnotice: () => {} });
  const [row] = await sql<{ id: string }[]>`select id from orders limit 1`;
  orderId = row!.id;
});
afterAll(async () => {
  await sql?.end();
  await database?.close();
});

/** An event row for the seeded order at a version no lifecycle write uses. */
const insertEvent = async (tx: postgres.Sql | postgres.TransactionSql, version: number) => {
  const [row] = await tx<
    { position: string }[]
  >`insert into order_events (order_id, action, from_status, to_status, version)
    values (${orderId}, 'accept', 'paid', 'accepted', ${version}) returning position::text`;
  return row!.position;
};

describe('the outbox reader', () => {
  it('waits for an in-flight lower position instead of skipping it, then returns both in order', async () => {
    const start = await outboxHorizon(database.db);
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstPosition!: string;
    let firstInserted!: () => void;
    const inserted = new Promise<void>((r) => {
      firstInserted = r;
    });
    // Transaction 1 draws the lower position and stays open.
    const first = sql.begin(async (tx) => {
      firstPosition = await insertEvent(tx, 1001);
      firstInserted();
      await firstMayCommit;
    });
    await inserted;
    // Transaction 2 draws a higher position and commits first.
    const secondPosition = await insertEvent(sql, 1002);
    expect(BigInt(secondPosition)).toBeGreaterThan(BigInt(firstPosition));

    let readSettled = false;
    const read = readOutbox(database.db, start, 100).finally(() => {
      readSettled = true;
    });
    // The reader is held at the barrier while the lower position is in flight. (A reader without
    // the barrier answers at once with the second event alone: this would fail.)
    await new Promise((r) => setTimeout(r, 300));
    expect(readSettled).toBe(false);
    releaseFirst();
    await first;
    const events = await read;
    expect(events.map((e) => e.event.position)).toEqual([firstPosition, secondPosition]);
    expect(events.map((e) => e.event.version)).toEqual([1001, 1002]);
    expect(events[0]!.event).toMatchObject({ type: 'order.accepted', orderId, status: 'accepted' });
  });

  it('never returns an event that rolled back, and continues past its position', async () => {
    const start = await outboxHorizon(database.db);
    await sql
      .begin(async (tx) => {
        await insertEvent(tx, 2001);
        throw new Error('roll back');
      })
      .catch(() => {});
    const position = await insertEvent(sql, 2002);
    const events = await readOutbox(database.db, start, 100);
    expect(events.map((e) => [e.event.position, e.event.version])).toEqual([[position, 2002]]);
  });

  it('existing events got positions in the migration, in the order they happened per order', async () => {
    const rows = await sql<{ order_id: string; version: number; position: string }[]>`
      select order_id, version, position::text from order_events where version < 1000 order by order_id, version`;
    expect(rows.length).toBeGreaterThan(5);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      if (a.order_id === b.order_id) expect(BigInt(b.position)).toBeGreaterThan(BigInt(a.position));
    }
  });
});
