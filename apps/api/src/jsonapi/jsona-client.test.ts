/**
 * A JSON:API client the team did not write (jsona) must rebuild the nested object graph from our
 * compound documents: if linkage or `included` were wrong, the nested objects would be missing
 * or would be bare `{ type, id }` stubs.
 */
import { executeRows } from '@quickeats/db';
import { ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { Jsona } from 'jsona';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadClients, readClients } from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

interface Model {
  type: string;
  id: string;
  [key: string]: unknown;
}
interface OrderModel extends Model {
  status: string;
  total: { amount: number; currency: string };
  restaurant: Model & { name: string };
  customer: Model & { name: string };
  rider: (Model & { name: string }) | null;
  items: (Model & { quantity: number; menuItem: Model & { name: string; price: { amount: number } } })[];
  payment: (Model & { status: string }) | null;
  events: (Model & { version: number; toStatus: string })[];
}

describe('jsona deserialises our compound documents into nested objects', () => {
  let t: TestApp;
  let c: ReadClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 80 } });
    c = await readClients(t);
  });
  afterAll(() => t?.close());

  it('rebuilds orders with restaurant, customer, rider, items → menu item, payment and events, matching the database', async () => {
    const res = await c.admin.get(`/api/v2/orders?page[size]=30&include=${ORDER_INCLUDE_PATHS.join(',')}`);
    const orders = new Jsona().deserialize(res.body as never) as unknown as OrderModel[];
    expect(orders).toHaveLength(30);

    const facts = await executeRows<{
      id: string;
      restaurant: string;
      customer: string;
      rider: string | null;
      lines: { quantity: number; dish: string; price: number }[];
      payment: string | null;
      versions: number[];
    }>(
      t.database.db,
      sql`select o.id, r.name as restaurant, cu.name as customer, ri.name as rider,
                 (select json_agg(json_build_object('quantity', i.quantity, 'dish', m.name, 'price', m.price_amount) order by i.name, i.id)
                    from order_items i join menu_items m on m.id = i.menu_item_id where i.order_id = o.id) as lines,
                 (select p.status from payments p where p.order_id = o.id) as payment,
                 (select json_agg(e.version order by e.version) from order_events e where e.order_id = o.id) as versions
            from orders o join restaurants r on r.id = o.restaurant_id join users cu on cu.id = o.customer_id
            left join users ri on ri.id = o.rider_id
           where o.id in ${orders.map((o) => o.id)}`,
    );
    const byId = new Map(facts.map((f) => [f.id, f]));
    let withRider = 0;
    for (const order of orders) {
      const f = byId.get(order.id)!;
      expect(order.type).toBe('orders');
      expect(order.restaurant.name).toBe(f.restaurant);
      expect(order.customer.name).toBe(f.customer);
      expect(order.rider?.name ?? null).toBe(f.rider);
      if (f.rider) withRider++;
      expect(
        order.items.map((i) => ({
          quantity: i.quantity,
          dish: i.menuItem.name,
          price: i.menuItem.price.amount,
        })),
      ).toEqual(f.lines);
      expect(order.payment?.status ?? null).toBe(f.payment);
      expect(order.events.map((e) => e.version)).toEqual(f.versions);
    }
    expect(withRider).toBeGreaterThan(0);
  });

  it('rebuilds a restaurant with its menu from GET /restaurants/{id}', async () => {
    const list = await c.customer.get('/api/v2/restaurants?page[size]=1');
    const id = list.body.data[0].id as string;
    const res = await c.customer.get(`/api/v2/restaurants/${id}`);
    const restaurant = new Jsona().deserialize(res.body as never) as unknown as Model & {
      name: string;
      menuItems: (Model & { name: string; price: { amount: number } })[];
    };
    expect(restaurant.name).toBe(list.body.data[0].attributes.name);
    expect(restaurant.menuItems).toHaveLength(8);
    for (const item of restaurant.menuItems) expect(item.price.amount).toBeGreaterThan(0);
  });
});
