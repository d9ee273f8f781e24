import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from './client';
import { users } from './schema';
import { countStatements, roundTripsOf } from './statement-counter';
import { createTestDatabase, type TestDatabase } from './testing';

describe('statement counter', () => {
  let pg: TestDatabase;
  // One connection each, so that "prepared on its connection" is the connection used next.
  let prepared: DbHandle;
  let unprepared: DbHandle;
  beforeAll(async () => {
    pg = await createTestDatabase();
    prepared = createDb({ url: pg.url, maxConnections: 1 });
    unprepared = createDb({ url: pg.url, maxConnections: 1, preparedStatements: false });
  });
  afterAll(async () => {
    await prepared?.close();
    await unprepared?.close();
    await pg?.close();
  });

  it('counts the statements of one unit of work, not those of concurrent ones', async () => {
    const [a, b] = await Promise.all([
      countStatements(pg.db, async (db) => {
        await db.select().from(users);
        await db.execute(sql`select 1`);
        await db.select().from(users);
      }),
      countStatements(pg.db, async (db) => {
        await db.execute(sql`select 2`);
      }),
    ]);
    expect(a.tally.count).toBe(3);
    expect(b.tally.count).toBe(1);
    expect(b.tally.statements[0]).toContain('select 2');
  });

  it('counts round trips: 2 for a parameterised statement its connection has not prepared, then 1', async () => {
    const byId = (db: DbHandle['db']) => db.execute(sql`select ${'x'}::text as v, ${1}::int as n`);
    const first = await countStatements(prepared.db, byId);
    const second = await countStatements(prepared.db, byId);
    expect(roundTripsOf(first.tally)).toBe(2);
    expect(roundTripsOf(second.tally)).toBe(1);
    // Unnamed statements (a transaction-mode pooler's setting) pay the describe every time.
    await byId(unprepared.db);
    const again = await countStatements(unprepared.db, byId);
    expect(roundTripsOf(again.tally)).toBe(2);
  });

  it('counts BEGIN and COMMIT of a transaction, and a statement without parameters as 1', async () => {
    const { tally } = await countStatements(prepared.db, (db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await tx.execute(sql`select 2`);
      }),
    );
    expect(tally.count).toBe(2);
    expect(roundTripsOf(tally)).toBe(4);
  });

  it('counts only what runs on the counting twin: the database itself stays uncounted', async () => {
    const { tally } = await countStatements(prepared.db, async (db) => {
      await prepared.db.execute(sql`select 1`);
      await db.execute(sql`select 2`);
    });
    expect(tally.statements).toEqual(['select 2']);
  });

  it('counts the embedded database (PGlite): each statement one exchange with the engine', async () => {
    const embedded = createDb({ dataDir: 'memory://' });
    try {
      const { result, tally } = await countStatements(embedded.db, (db) =>
        db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          return tx.execute(sql`select ${'x'}::text as v`);
        }),
      );
      expect(result).toMatchObject({ rows: [{ v: 'x' }] });
      expect(tally.count).toBe(2);
      expect(roundTripsOf(tally)).toBe(2);
    } finally {
      await embedded.close();
    }
  });
});
