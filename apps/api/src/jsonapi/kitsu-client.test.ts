/**
 * A JSON:API client library the team did not write, kitsu-core, against the v2 API: its `serialise`
 * builds the create request (restaurant as a relationship, the lines as an attribute) and its
 * `deserialise` reads every answer — the created order, a page of orders with includes, one order.
 * If our documents strayed from the specification (linkage, included, the request shape) the
 * objects it rebuilds would be missing members or the create would be refused.
 */
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { deserialise, serialise } from 'kitsu-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

const JSONAPI = 'application/vnd.api+json';

interface Linked<T> {
  data: T;
}
interface OrderModel {
  type: 'orders';
  id: string;
  status: string;
  version: number;
  note: string | null;
  total: { amount: number; currency: string };
  restaurant: Linked<{ type: string; id: string; name?: string }>;
  items: Linked<
    { type: string; id: string; quantity: number; menuItem: Linked<{ id: string; name?: string }> }[]
  >;
}

describe('kitsu-core creates, lists and reads orders', () => {
  let t: TestApp;
  let token: string;
  let menu: Awaited<ReturnType<typeof demoMenu>>;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 5 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    menu = await demoMenu(t);
  });
  afterAll(() => t?.close());

  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await t.app.request(path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: JSONAPI,
        ...(init.body === undefined
          ? {}
          : { 'content-type': JSONAPI, 'idempotency-key': crypto.randomUUID() }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, headers: res.headers, json: await res.json() };
  };

  let created: OrderModel;

  it('serialises a create that the API accepts, and deserialises the created order', async () => {
    const body = serialise(
      'orders',
      {
        restaurant: { data: { type: 'restaurants', id: menu.restaurantId } },
        lines: [
          { menuItemId: menu.menuItemIds[0], quantity: 2 },
          { menuItemId: menu.menuItemIds[1], quantity: 1 },
        ],
        note: 'from kitsu',
      },
      'POST',
    );
    expect(body.data).toMatchObject({ type: 'orders', relationships: { restaurant: expect.any(Object) } });
    expect(body.data.id).toBeUndefined();

    const res = await call('/api/v2/orders', { method: 'POST', body });
    expect(res.status).toBe(201);
    created = deserialise(res.json).data as OrderModel;
    expect(created).toMatchObject({ type: 'orders', status: 'pending', version: 1, note: 'from kitsu' });
    expect(created.restaurant.data.id).toBe(menu.restaurantId);
    expect(
      created.items.data
        .map((i) => ({ menuItemId: i.menuItem.data.id, quantity: i.quantity }))
        .sort((a, b) => b.quantity - a.quantity),
    ).toEqual([
      { menuItemId: menu.menuItemIds[0], quantity: 2 },
      { menuItemId: menu.menuItemIds[1], quantity: 1 },
    ]);
    const [row] = await executeRows<{ total: number }>(
      t.database.db,
      sql`select total_amount as total from orders where id = ${created.id}`,
    );
    expect(created.total.amount).toBe(row!.total);
  });

  it('deserialises a page of orders with the restaurant and menu items included', async () => {
    const res = await call('/api/v2/orders?page[size]=50&include=restaurant,items.menuItem');
    expect(res.status).toBe(200);
    const page = deserialise(res.json) as { data: OrderModel[]; links: { next: string | null } };
    const mine = page.data.find((o) => o.id === created.id);
    expect(mine).toBeDefined();
    expect(mine!.restaurant.data.name).toEqual(expect.any(String));
    expect(mine!.items.data.map((i) => i.menuItem.data.name)).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
    const [count] = await executeRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from orders o join users u on u.id = o.customer_id where u.email = ${DEMO_ACCOUNTS.customer}`,
    );
    expect(page.data).toHaveLength(count!.n);
    for (const o of page.data) expect(o.restaurant.data.type).toBe('restaurants');
  });

  it('deserialises one order by id', async () => {
    const res = await call(`/api/v2/orders/${created.id}?include=items.menuItem`);
    expect(res.status).toBe(200);
    const order = deserialise(res.json).data as OrderModel;
    expect(order).toMatchObject({ id: created.id, status: 'pending', note: 'from kitsu' });
    expect(order.items.data).toHaveLength(2);
    for (const item of order.items.data) expect(item.menuItem.data.name).toEqual(expect.any(String));
  });
});
