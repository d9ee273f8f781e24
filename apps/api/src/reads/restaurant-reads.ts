/**
 * Restaurant reads: the catalogue every signed-in role may browse (restaurants are public, unlike
 * orders). Like orders, a page and its included menus are ONE statement, ordered by `(name, id)`
 * with a keyset cursor.
 */
import { type Database, executeRows, type Tx } from '@quickeats/db';
import type { RestaurantIncludePath } from '@quickeats/domain';
import { type SQL, sql } from 'drizzle-orm';
import { decodeCursor, encodeCursor } from './cursor';
import { type Fieldsets, wants } from './fieldsets';
import type { MenuItemRow, RestaurantRow } from './order-query';
import { JSONAPI_PAGE_PARAMS, type PageParamNames, resolvePageSize } from './paging';
import { col, jsonArray, jsonObject, money } from './sql-json';

export interface RestaurantReadRequest {
  include?: Iterable<RestaurantIncludePath>;
  fields?: Fieldsets;
  size?: number | undefined;
  after?: string | undefined;
}

export type ReadRestaurant = RestaurantRow & { cursor: string; menuItemIds?: string[] };

export interface RestaurantReadResult {
  restaurants: ReadRestaurant[];
  nextCursor: string | null;
  included: { menuItems?: (MenuItemRow & { restaurantId: string })[] };
}

interface RestaurantQueryRow {
  candidates: number;
  restaurants: (RestaurantRow & { sortName: string; menuItemIds?: string[] })[];
  menuItems?: (MenuItemRow & { restaurantId: string })[];
}

function restaurantQuery(opts: {
  include: ReadonlySet<RestaurantIncludePath>;
  fields: Fieldsets;
  size: number;
  after?: readonly [string, string] | undefined;
  restaurantId?: string | undefined;
}): SQL {
  const { include, fields } = opts;
  const where: SQL[] = [sql`true`];
  if (opts.restaurantId !== undefined) where.push(sql`r.id = ${opts.restaurantId}`);
  if (opts.after) where.push(sql`(r.name, r.id) > (${opts.after[0]}, ${opts.after[1]}::uuid)`);

  const pairs: [string, SQL][] = [
    ['id', col('p.id')],
    ['sortName', col('p.name')],
  ];
  if (wants(fields, 'restaurants', 'name')) pairs.push(['name', col('p.name')]);
  if (wants(fields, 'restaurants', 'currency')) pairs.push(['currency', col('p.currency')]);
  if (wants(fields, 'restaurants', 'menuItems') && !include.has('menuItems'))
    pairs.push([
      'menuItemIds',
      col(
        "(select coalesce(json_agg(m.id order by m.name, m.id), '[]'::json) from menu_items m where m.restaurant_id = p.id)",
      ),
    ]);
  const columns: SQL[] = [
    sql`(select count(*)::int from candidates) as "candidates"`,
    sql`${jsonArray(jsonObject(pairs), sql`from page p`, 'p.name, p.id')} as "restaurants"`,
  ];
  if (include.has('menuItems')) {
    const m: [string, SQL][] = [
      ['id', col('m.id')],
      ['restaurantId', col('m.restaurant_id')],
    ];
    if (wants(fields, 'menu-items', 'name')) m.push(['name', col('m.name')]);
    if (wants(fields, 'menu-items', 'price')) m.push(['price', money('m.price_amount', 'm.currency')]);
    if (wants(fields, 'menu-items', 'available')) m.push(['available', col('m.available')]);
    columns.push(
      sql`${jsonArray(jsonObject(m), sql`from menu_items m where m.restaurant_id = any(array(select id from page))`, 'm.restaurant_id, m.name, m.id')} as "menuItems"`,
    );
  }
  return sql`with candidates as (
      select r.id, r.name, r.currency from restaurants r
       where ${sql.join(where, sql` and `)}
       order by r.name, r.id
       limit ${opts.size + 1}
    ), page as (
      select * from candidates order by name, id limit ${opts.size}
    )
    select ${sql.join(columns, sql`, `)}`;
}

function finish(row: RestaurantQueryRow | undefined, size: number): RestaurantReadResult {
  if (!row) throw new Error('restaurant query returned no row');
  const restaurants = row.restaurants.map(({ sortName, ...r }) => ({
    ...r,
    cursor: encodeCursor('restaurants', [sortName, r.id]),
  }));
  const last = restaurants.at(-1);
  return {
    restaurants,
    nextCursor: row.candidates > size && last ? last.cursor : null,
    included: row.menuItems ? { menuItems: row.menuItems } : {},
  };
}

/** One page of restaurants by name, with their menus when `menuItems` is included (one statement). */
export async function listRestaurants(
  db: Database | Tx,
  request: RestaurantReadRequest,
  params: PageParamNames = JSONAPI_PAGE_PARAMS,
): Promise<RestaurantReadResult> {
  const size = resolvePageSize(request.size, params.size);
  const after =
    request.after === undefined ? undefined : decodeCursor('restaurants', request.after, params.after);
  const [row] = await executeRows<RestaurantQueryRow & Record<string, unknown>>(
    db,
    restaurantQuery({ include: new Set(request.include ?? []), fields: request.fields ?? {}, size, after }),
  );
  return finish(row, size);
}

/** One restaurant (with its menu when included), or null. */
export async function readRestaurant(
  db: Database | Tx,
  restaurantId: string,
  request: Pick<RestaurantReadRequest, 'include' | 'fields'> = {},
): Promise<RestaurantReadResult | null> {
  const [row] = await executeRows<RestaurantQueryRow & Record<string, unknown>>(
    db,
    restaurantQuery({
      include: new Set(request.include ?? []),
      fields: request.fields ?? {},
      size: 1,
      restaurantId,
    }),
  );
  const result = finish(row, 1);
  return result.restaurants.length === 1 ? { ...result, nextCursor: null } : null;
}
