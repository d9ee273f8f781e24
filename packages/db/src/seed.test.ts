import { ORDER_STATUSES } from '@quickeats/domain';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRows } from './client';
import { verifyPassword } from './password';
import { users } from './schema';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, type SeedSummary, seedIfEmpty } from './seed';
import { createTestDatabase, type TestDatabase } from './testing';

describe('deterministic seed', () => {
  let pg: TestDatabase;
  let summary: SeedSummary | null;
  beforeAll(async () => {
    pg = await createTestDatabase();
    summary = await seedIfEmpty(pg.db, { orders: 1000 });
  });
  afterAll(() => pg?.close());

  it('creates about 1,000 orders in every state', async () => {
    expect(summary?.orders).toBe(1000);
    const rows = await executeRows<{ status: string; n: number }>(
      pg.db,
      sql`select status, count(*)::int as n from orders group by status`,
    );
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(ORDER_STATUSES));
  });

  it('keeps the event log consistent with every order: one event per version, last event = current status', async () => {
    const [bad] = await executeRows<{ n: number }>(
      pg.db,
      sql`
      select count(*)::int as n from orders o
      where o.version <> (select count(*) from order_events e where e.order_id = o.id)
         or o.version <> (select max(version) from order_events e where e.order_id = o.id)
         or o.status <> (select to_status from order_events e where e.order_id = o.id and e.version = o.version)`,
    );
    expect(bad?.n).toBe(0);
  });

  it('records a payment for exactly the orders that went through pay, refunded when cancelled or rejected after paying', async () => {
    const [bad] = await executeRows<{ n: number }>(
      pg.db,
      sql`
      select count(*)::int as n from orders o
      left join payments p on p.order_id = o.id
      where (exists (select 1 from order_events e where e.order_id = o.id and e.action = 'pay')) <> (p.id is not null)
         or (p.status = 'refunded') <> (o.status in ('cancelled', 'rejected') and p.id is not null)
         or p.amount <> o.total_amount`,
    );
    expect(bad?.n).toBe(0);
  });

  it('order totals equal the sum of their item lines', async () => {
    const [bad] = await executeRows<{ n: number }>(
      pg.db,
      sql`
      select count(*)::int as n from orders o
      where o.total_amount <> (select sum(quantity * unit_price_amount) from order_items i where i.order_id = o.id)`,
    );
    expect(bad?.n).toBe(0);
  });

  it('has the demo accounts with the documented password, hashed with scrypt', async () => {
    for (const email of Object.values(DEMO_ACCOUNTS)) {
      const [u] = await pg.db.select().from(users).where(eq(users.email, email));
      expect(u?.passwordHash.startsWith('scrypt$')).toBe(true);
      expect(await verifyPassword(DEMO_PASSWORD, u!.passwordHash)).toBe(true);
      expect(await verifyPassword('wrong', u!.passwordHash)).toBe(false);
    }
  });

  it('does nothing on a database that already has data', async () => {
    expect(await seedIfEmpty(pg.db)).toBeNull();
  });

  it('is deterministic: a second database gets the same ids', async () => {
    const other = await createTestDatabase({ seed: { orders: 20 } });
    try {
      const mine = await executeRows<{ id: string }>(pg.db, sql`select id from users order by email`);
      const theirs = await executeRows<{ id: string }>(other.db, sql`select id from users order by email`);
      expect(theirs.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    } finally {
      await other.close();
    }
  });
});
