/**
 * The read layer against the real PostgreSQL: one statement for every combination of includes,
 * sparse fieldsets that narrow the SQL itself (not only the JSON), and page-size rules.
 */
import { countStatements, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type Actor, DomainError, ORDER_INCLUDE_PATHS, type OrderIncludePath } from '@quickeats/domain';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders, readOrder } from './order-reads';
import { listRestaurants } from './restaurant-reads';

describe('order read layer', () => {
  let db: TestDatabase;
  let admin: Actor;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 150 } });
    const [u] = await db.db.select().from(users).where(eq(users.email, 'admin@quickeats.test'));
    admin = { userId: u!.id, role: u!.role };
  });
  afterAll(() => db?.close());

  it('issues exactly one statement for each of the 128 include combinations', async () => {
    for (let mask = 0; mask < 1 << ORDER_INCLUDE_PATHS.length; mask++) {
      const include = ORDER_INCLUDE_PATHS.filter((_, i) => mask & (1 << i)) as OrderIncludePath[];
      const { result, tally } = await countStatements(db.db, (d) =>
        listOrders(d, admin, { include, size: 30 }),
      );
      expect(tally.count, include.join(',')).toBe(1);
      expect(result.orders).toHaveLength(30);
    }
  });

  it('narrows the SELECT to the requested fields: unrequested columns and tables are never read', async () => {
    const { tally } = await countStatements(db.db, (d) =>
      listOrders(d, admin, { fields: { orders: new Set(['status']) }, size: 10 }),
    );
    const [statement] = tally.statements;
    for (const absent of [
      'note',
      'total_amount',
      'updated_at',
      'customer_id',
      'order_items',
      'order_events',
      'payments',
    ])
      expect(statement, absent).not.toContain(absent);
    expect(statement).toContain('o.status');

    const { tally: users } = await countStatements(db.db, (d) =>
      listOrders(d, admin, {
        include: ['customer'],
        fields: { orders: new Set([]), users: new Set(['name']) },
      }),
    );
    expect(users.statements[0]).toContain("'name', u.name");
    expect(users.statements[0]).not.toContain('u.role');
    expect(users.statements[0]).not.toContain('rider_id from page');
  });

  it('derives allowedActions from the domain for the caller, reading the owner only when asked for', async () => {
    const { result, tally } = await countStatements(db.db, (d) => listOrders(d, admin, { size: 50 }));
    expect(tally.statements[0]).toContain('owner_id');
    const paid = result.orders.find((o) => o.status === 'paid');
    expect(paid?.allowedActions).toEqual(['cancel']);
    const narrow = await listOrders(db.db, admin, { fields: { orders: new Set(['status']) } });
    expect(narrow.orders[0]).not.toHaveProperty('allowedActions');
  });

  it('refuses page sizes above 100 with the limit in meta, and names the caller’s parameter', async () => {
    const err = await listOrders(db.db, admin, { size: 101 }, { size: 'pageSize', after: 'cursor' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('PAGE_SIZE_TOO_LARGE');
    expect(err.extras).toMatchObject({ meta: { page: { maxSize: 100 } }, errors: [{ field: 'pageSize' }] });
  });

  it('returns null for an order that does not exist (same as one the actor may not see)', async () => {
    expect(await readOrder(db.db, admin, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('pages restaurants by name with their menus in one statement', async () => {
    const { result, tally } = await countStatements(db.db, (d) =>
      listRestaurants(d, { include: ['menuItems'], size: 2 }),
    );
    expect(tally.count).toBe(1);
    expect(result.restaurants.map((r) => r.name)).toEqual([...result.restaurants.map((r) => r.name!)].sort());
    expect(result.included.menuItems?.length).toBe(16);
    const rest = await listRestaurants(db.db, { after: result.nextCursor! });
    expect(rest.restaurants).toHaveLength(3);
    expect(rest.nextCursor).toBeNull();
  });
});
