import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing';

/** Poll a condition (no fixed sleeps: the machine may be busy). */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pool demand', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase({ maxConnections: 2 });
  });
  afterAll(() => pg?.close());

  it('counts statements and transactions holding connections, and the work waiting beyond the pool size', async () => {
    const stats = pg.poolStats!;
    expect(stats()).toEqual({ max: 2, inUse: 0, waiting: 0 });
    // A lock held outside the pool keeps the pooled work in flight while it is counted.
    const holder = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      await holder`select pg_advisory_lock(424242)`;
      const work = [
        pg.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_lock_shared(424242)`);
          await tx.execute(sql`select pg_advisory_unlock_shared(424242)`);
        }),
        // Drizzle queries are lazy: Promise.resolve sends them now.
        Promise.resolve(
          pg.db.execute(sql`select pg_advisory_lock_shared(424242), pg_advisory_unlock_shared(424242)`),
        ),
        Promise.resolve(pg.db.execute(sql`select 1`)),
      ];
      await until(() => stats().inUse === 2 && stats().waiting === 1, 'two in use and one waiting');
      await holder`select pg_advisory_unlock(424242)`;
      await Promise.all(work);
    } finally {
      await holder.end();
    }
    expect(stats()).toEqual({ max: 2, inUse: 0, waiting: 0 });
  });
});
