/**
 * Issue 15: a list's cost follows the actor's own orders, not the table. With 20,000 orders spread
 * over every other restaurant and a handful at the demo owner's, EXPLAIN ANALYZE of each visibility
 * shape must read `orders` only through that shape's `(scope, created_at, id)` index — never a
 * walk of `orders_created_idx` or a sequential scan — and no orders scan may return more rows than
 * one page needs (size + 1).
 */
import { DEMO_ACCOUNTS, executeRows, insertBulkOrders, restaurants, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import type { Actor } from '@quickeats/domain';
import { eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderQuery } from './order-query';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

function scansOfOrders(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name'] === 'orders') out.push(node);
  for (const child of node.Plans ?? []) scansOfOrders(child, out);
  return out;
}

const SIZE = 20;

describe('list plans at scale', () => {
  let db: TestDatabase;
  const actors: Record<'owner' | 'rider' | 'customer', Actor> = {} as never;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 40 } });
    const [owner] = await db.db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.owner));
    const owned = await db.db.select().from(restaurants).where(eq(restaurants.ownerId, owner!.id));
    await insertBulkOrders(db.db, { orders: 20_000, exceptRestaurantIds: owned.map((r) => r.id) });
    for (const [name, email] of [
      ['owner', DEMO_ACCOUNTS.owner],
      ['rider', DEMO_ACCOUNTS.rider],
      ['customer', DEMO_ACCOUNTS.customer],
    ] as const) {
      const [u] = await db.db.select().from(users).where(eq(users.email, email));
      actors[name] = { userId: u!.id, role: u!.role };
    }
  });
  afterAll(() => db?.close());

  async function plan(query: SQL): Promise<PlanNode> {
    const [row] = await executeRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
      db.db,
      sql`explain (analyze, format json) ${query}`,
    );
    const value = row!['QUERY PLAN'];
    return (typeof value === 'string' ? JSON.parse(value) : value)[0].Plan;
  }

  const shapes = [
    ['owner', ['orders_restaurant_created_idx']],
    ['rider', ['orders_rider_created_idx', 'orders_status_created_idx']],
    ['customer', ['orders_customer_created_idx']],
  ] as const;

  for (const [who, indexes] of shapes) {
    it(`the ${who}'s first page reads orders only through ${indexes.join(' and ')}`, async () => {
      const root = await plan(
        orderQuery({ actor: actors[who], include: new Set(), fields: {}, filter: {}, size: SIZE }),
      );
      const scans = scansOfOrders(root);
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        expect(scan['Index Name'], JSON.stringify(scan)).toBeDefined();
        expect(indexes as readonly string[]).toContain(scan['Index Name']);
        expect(scan['Actual Rows']).toBeLessThanOrEqual(SIZE + 1);
      }
    });
  }

  it('the owner list with a status filter stays on the restaurant index', async () => {
    const root = await plan(
      orderQuery({
        actor: actors.owner,
        include: new Set(),
        fields: {},
        filter: { status: ['delivered', 'paid'] },
        size: SIZE,
      }),
    );
    for (const scan of scansOfOrders(root)) expect(scan['Index Name']).toBe('orders_restaurant_created_idx');
  });
});
