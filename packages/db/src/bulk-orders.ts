/**
 * Set-based seeding of many orders (issue 15: lists measured at a million orders), one INSERT … SELECT
 * over `generate_series` per batch instead of rows built in JavaScript: a million orders with their
 * items and creation events in well under a minute on a small machine. It adds to a database that
 * `seed()` already populated (users, restaurants, menus), spreading the new orders over every
 * restaurant except `exceptRestaurantIds` — so a small restaurant stays small while the table grows.
 * Statuses follow the seed's mix (mostly delivered, some ready for pick-up); orders are older than
 * every seeded one, each `stepSeconds` apart.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client';

export interface BulkOrdersOptions {
  orders: number;
  /** Restaurants that get none of the new orders (the "small restaurant" of a benchmark). */
  exceptRestaurantIds?: readonly string[];
  /**
   * Rows per INSERT: bounded so that each statement stays well inside the client's 15 s
   * statement timeout on a busy machine (200,000 did not, at a load average of 30 on 2 cores).
   */
  batch?: number;
}

export async function insertBulkOrders(db: Database, options: BulkOrdersOptions): Promise<number> {
  const batch = options.batch ?? 10_000;
  const except = [...(options.exceptRestaurantIds ?? [])];
  for (let from = 0; from < options.orders; from += batch) {
    const to = Math.min(options.orders, from + batch) - 1;
    await db.execute(sql`
      with pools as (
        select (select array_agg(id order by id) from users where role = 'customer') as customers,
               (select array_agg(id order by id) from users where role = 'rider') as riders,
               (select array_agg(id order by id) from restaurants
                 where not (id = any(${sql.param(except)}::uuid[]))) as restaurants
      ), oldest as (
        select coalesce(min(created_at), now()) as at from orders
      ), made as (
        insert into orders (customer_id, restaurant_id, rider_id, status, version, total_amount, currency,
                            created_at, updated_at)
        select p.customers[1 + g % array_length(p.customers, 1)],
               p.restaurants[1 + (g / 7) % array_length(p.restaurants, 1)],
               case when s.status in ('picked_up', 'delivered') then p.riders[1 + g % array_length(p.riders, 1)] end,
               s.status, s.version, 1000 + (g % 40) * 50, 'USD',
               o.at - make_interval(secs => (g - ${from} + 1) * 60),
               o.at - make_interval(secs => (g - ${from} + 1) * 60) + interval '30 minutes'
          from generate_series(${from}::int, ${to}::int) g
         cross join pools p cross join oldest o
         cross join lateral (
           select case when g % 20 < 14 then 'delivered' when g % 20 < 16 then 'ready'
                       when g % 20 < 18 then 'paid' when g % 20 < 19 then 'cancelled' else 'pending' end as status
         ) s0
         cross join lateral (
           select s0.status, case s0.status when 'delivered' then 6 when 'ready' then 4 when 'paid' then 2
                                              when 'cancelled' then 2 else 1 end as version
         ) s
        returning id, restaurant_id, customer_id, status, created_at
      ), items as (
        insert into order_items (order_id, menu_item_id, name, quantity, unit_price_amount, currency)
        select m.id, mi.id, mi.name, 1, mi.price_amount, mi.currency
          from made m
          join lateral (select id, name, price_amount, currency from menu_items
                         where restaurant_id = m.restaurant_id order by id limit 1) mi on true
        returning 1
      )
      insert into order_events (order_id, action, from_status, to_status, actor_id, actor_role, version, created_at)
      select m.id, 'create', null, 'pending', m.customer_id, 'customer', 1, m.created_at from made m`);
  }
  await db.execute(sql`analyze orders`);
  await db.execute(sql`analyze order_items`);
  await db.execute(sql`analyze order_events`);
  return options.orders;
}
