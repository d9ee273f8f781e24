/**
 * A create is one statement (issue 15): it reads the restaurant's menu items among the lines and,
 * only if every line can be ordered, inserts the order priced from that very menu. Pinned against
 * the real PostgreSQL: the total and each item's name and unit price come from the menu, not the
 * client; a line that cannot be ordered is named by its field and nothing is written; items priced
 * in different currencies are refused the same way.
 */
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFingerprint, demoMenu, newKey, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

describe('creating an order: one statement, priced from the menu it reads, all or nothing', () => {
  let t: TestApp;
  let token: string;
  let restaurantId: string;
  /** Two available dishes of the restaurant, as the menu prices them. */
  let dishes: { id: string; name: string; price_amount: number; currency: string }[];
  let unavailable: string;
  let foreignCurrency: string;
  let otherRestaurants: string;

  const create = (body: unknown) => t.app.request('/api/v2/orders', postInit({ token, key: newKey(), body }));

  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const menu = await demoMenu(t);
    restaurantId = menu.restaurantId;
    dishes = await executeRows(
      t.database.db,
      sql`select id, name, price_amount, currency from menu_items
           where restaurant_id = ${restaurantId} and available order by id limit 2`,
    );
    expect(dishes).toHaveLength(2);
    const currency = dishes[0]!.currency;
    const [off] = await executeRows<{ id: string }>(
      t.database.db,
      sql`insert into menu_items (restaurant_id, name, price_amount, currency, available)
          values (${restaurantId}, 'Sold out soup', 700, ${currency}, false) returning id`,
    );
    const [other] = await executeRows<{ id: string }>(
      t.database.db,
      sql`insert into menu_items (restaurant_id, name, price_amount, currency)
          values (${restaurantId}, 'Imported tea', 300, ${currency === 'EUR' ? 'USD' : 'EUR'}) returning id`,
    );
    const [foreign] = await executeRows<{ id: string }>(
      t.database.db,
      sql`select id from menu_items where restaurant_id <> ${restaurantId} and available limit 1`,
    );
    unavailable = off!.id;
    foreignCurrency = other!.id;
    otherRestaurants = foreign!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prices every line from the menu: the total, and each item’s name and unit price', async () => {
    const [a, b] = dishes as [(typeof dishes)[0], (typeof dishes)[0]];
    const res = await create({
      restaurantId,
      items: [
        { menuItemId: a.id, quantity: 2 },
        { menuItemId: b.id, quantity: 3 },
      ],
    });
    expect(res.status).toBe(201);
    const order = (await res.json()).data;
    expect(order.attributes.total).toEqual({
      amount: 2 * a.price_amount + 3 * b.price_amount,
      currency: a.currency,
    });
    const [row] = await executeRows<{ total_amount: number; items: number; events: number }>(
      t.database.db,
      sql`select o.total_amount,
                 (select count(*)::int from order_items i where i.order_id = o.id) as items,
                 (select count(*)::int from order_events e where e.order_id = o.id and e.action = 'create') as events
            from orders o where o.id = ${order.id}`,
    );
    expect(row).toEqual({ total_amount: 2 * a.price_amount + 3 * b.price_amount, items: 2, events: 1 });
    const items = await executeRows<{
      menu_item_id: string;
      name: string;
      unit_price_amount: number;
      quantity: number;
    }>(
      t.database.db,
      sql`select menu_item_id, name, unit_price_amount, quantity from order_items where order_id = ${order.id}`,
    );
    expect(items).toEqual(
      expect.arrayContaining([
        { menu_item_id: a.id, name: a.name, unit_price_amount: a.price_amount, quantity: 2 },
        { menu_item_id: b.id, name: b.name, unit_price_amount: b.price_amount, quantity: 3 },
      ]),
    );
  });

  /** A create of one of each of `menuItemIds`, checked refused (422) with nothing written: its problem. */
  async function refused(menuItemIds: string[]) {
    const before = await databaseFingerprint(t);
    const res = await create({
      restaurantId,
      items: menuItemIds.map((menuItemId) => ({ menuItemId, quantity: 1 })),
    });
    expect(res.status).toBe(422);
    expect(await databaseFingerprint(t)).toBe(before);
    return res.json();
  }

  it('a line that cannot be ordered is named by its field, and nothing is written', async () => {
    const problem = await refused([dishes[0]!.id, unavailable, otherRestaurants]);
    expect(problem).toMatchObject({ code: 'UNPROCESSABLE', status: 422 });
    expect(problem.errors).toEqual([
      { field: 'items.1.menuItemId', message: 'not available' },
      { field: 'items.2.menuItemId', message: 'not on this restaurant’s menu' },
    ]);
  });

  it('items priced in different currencies: 422, and nothing is written', async () => {
    expect(await refused([dishes[0]!.id, foreignCurrency])).toMatchObject({
      code: 'UNPROCESSABLE',
      detail: 'Items are priced in different currencies',
    });
  });
});
