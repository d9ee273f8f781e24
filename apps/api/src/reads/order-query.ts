/**
 * The order read query: ONE SQL statement returns a page of orders the actor may see together
 * with every related resource asked for (restaurants, customers, riders, items, menu items,
 * payments, events), each related set deduplicated and aggregated to JSON inside PostgreSQL. The
 * number of statements is therefore 1 whatever the page size and the includes — the fix for v1's
 * 1 + N·k (SPEC problem 4).
 *
 * Shape of the statement:
 *   candidates — the keyset page (+1 row to learn whether another page exists), visibility and
 *                filters in WHERE, only cheap columns, so the planner walks an
 *                `(scope, created_at desc, id desc)` index and stops after size+1 rows;
 *   page       — the first `size` candidates;
 *   one column per set — `orders` (the page as JSON, narrowed to the requested fields) and one
 *                per included type, each a `json_agg` over `… where id = any(array(select … from page))`.
 *                The array form matters: with `in (select …)` the planner hash-joins and scans the
 *                whole related table once the page is a few dozen rows; `= any(array)` probes the
 *                foreign-key index for exactly the page's ids, so cost follows the page, not the data.
 */
import type { Actor, OrderIncludePath, OrderStatus, Role } from '@quickeats/domain';
import { fillPlaceholders, type Query, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { type Fieldsets, wants } from './fieldsets';
import { col, isoMicros, isoMillis, jsonArray, jsonObject, money } from './sql-json';

export interface OrderFilter {
  status?: readonly OrderStatus[] | undefined;
  restaurantIds?: readonly string[] | undefined;
  /** Inclusive lower bound (ISO 8601). */
  createdAfter?: string | undefined;
  /** Exclusive upper bound (ISO 8601). */
  createdBefore?: string | undefined;
}

export interface OrderQuerySpec {
  actor: Actor;
  include: ReadonlySet<OrderIncludePath>;
  fields: Fieldsets;
  filter: OrderFilter;
  /** Page size (already validated: 1…MAX_PAGE_SIZE). */
  size: number;
  /** Keyset position to continue after: `[createdAt with microseconds, id]`. */
  after?: readonly [string, string] | undefined;
  /** Read exactly this order (GET /orders/:id) instead of a list. */
  orderId?: string | undefined;
}

type Money = { amount: number; currency: string };

/** One order of the page; attributes are present only when requested. */
export interface OrderRow {
  id: string;
  /** `created_at` with microseconds, for the keyset cursor. */
  cursorAt: string;
  status?: OrderStatus;
  version?: number;
  total?: Money;
  note?: string | null;
  createdAt?: string;
  updatedAt?: string;
  customerId?: string;
  restaurantId?: string;
  riderId?: string | null;
  /** Only read for `allowedActions`. */
  ownerId?: string;
  /** Linkage of un-included to-many / to-one relations. */
  itemIds?: string[];
  /** Never read without `include=events` (the events relationship then has no linkage). */
  eventIds?: string[];
  paymentId?: string | null;
}

export interface RestaurantRow {
  id: string;
  name?: string;
  currency?: string;
}
export interface UserRow {
  id: string;
  name?: string;
  role?: Role;
}
export interface OrderItemRow {
  id: string;
  orderId: string;
  menuItemId?: string;
  name?: string;
  quantity?: number;
  unitPrice?: Money;
}
export interface MenuItemRow {
  id: string;
  restaurantId?: string;
  name?: string;
  price?: Money;
  available?: boolean;
}
export interface PaymentRow {
  id: string;
  orderId: string;
  status?: 'succeeded' | 'refunded';
  amount?: Money;
  createdAt?: string;
  refundedAt?: string | null;
}
export interface OrderEventRow {
  id: string;
  orderId: string;
  action?: string;
  fromStatus?: OrderStatus | null;
  toStatus?: OrderStatus;
  actorRole?: Role | null;
  version?: number;
  reason?: string | null;
  createdAt?: string;
}

/** The one row the statement returns. Included sets are absent when not included. */
export interface OrderQueryRow {
  candidates: number;
  orders: OrderRow[];
  restaurants?: RestaurantRow[];
  users?: UserRow[];
  orderItems?: OrderItemRow[];
  menuItems?: MenuItemRow[];
  payments?: PaymentRow[];
  orderEvents?: OrderEventRow[];
}

/**
 * Visibility as SQL — the same rule as `canView()` in packages/domain (a test checks they agree on
 * every seeded order): customers their orders, owners their restaurants' orders, riders theirs and
 * every order ready for pick-up, admins all.
 */
export function visibleTo(actor: Actor): SQL {
  switch (actor.role) {
    case 'customer':
      return sql`o.customer_id = ${actor.userId}`;
    case 'restaurant':
      return sql`o.restaurant_id in (select vr.id from restaurants vr where vr.owner_id = ${actor.userId})`;
    case 'rider':
      return sql`(o.rider_id = ${actor.userId} or o.status = 'ready')`;
    case 'admin':
      return sql`true`;
  }
}

/** The filters, cursor and id of `spec` (everything but visibility), as one AND-ed condition. */
function filterClause(spec: OrderQuerySpec): SQL {
  const conditions: SQL[] = [sql`true`];
  const f = spec.filter;
  if (spec.orderId !== undefined) conditions.push(sql`o.id = ${spec.orderId}`);
  if (f.status?.length) conditions.push(sql`o.status = any(${sql.param(f.status)}::text[])`);
  if (f.restaurantIds?.length)
    conditions.push(sql`o.restaurant_id = any(${sql.param(f.restaurantIds)}::uuid[])`);
  if (f.createdAfter) conditions.push(sql`o.created_at >= ${f.createdAfter}::timestamptz`);
  if (f.createdBefore) conditions.push(sql`o.created_at < ${f.createdBefore}::timestamptz`);
  // Row comparison matches the (created_at desc, id desc) index order exactly: no row is skipped
  // or repeated between pages, even when many share a timestamp. (`nulls last` in ORDER BY below
  // is what makes the planner use those indexes: they are declared DESC NULLS LAST, and a plain
  // DESC means NULLS FIRST — the columns are NOT NULL, but the planner does not reason from that.)
  if (spec.after)
    conditions.push(sql`(o.created_at, o.id) < (${spec.after[0]}::timestamptz, ${spec.after[1]}::uuid)`);
  return sql.join(conditions, sql` and `);
}

/** The columns the candidates CTE carries: only what the requested fields and includes need. */
function candidateColumns(spec: OrderQuerySpec): string[] {
  const { fields, include } = spec;
  const w = (f: Parameters<typeof wants<'orders'>>[2]) => wants(fields, 'orders', f);
  const cols = new Set(['id', 'created_at']);
  const actions = w('allowedActions');
  if (w('status') || actions) cols.add('status');
  if (w('version') || actions || spec.orderId !== undefined) cols.add('version');
  if (w('total')) cols.add('total_amount').add('currency');
  if (w('note')) cols.add('note');
  if (w('updatedAt')) cols.add('updated_at');
  if (w('customer') || include.has('customer') || actions) cols.add('customer_id');
  if (w('restaurant') || include.has('restaurant') || actions) cols.add('restaurant_id');
  if (w('rider') || include.has('rider') || actions) cols.add('rider_id');
  return [...cols].map((c) => `o.${c}`);
}

function orderJson(spec: OrderQuerySpec): SQL {
  const { fields, include } = spec;
  const w = (f: Parameters<typeof wants<'orders'>>[2]) => wants(fields, 'orders', f);
  const actions = w('allowedActions');
  const pairs: [string, SQL][] = [
    ['id', col('p.id')],
    ['cursorAt', isoMicros('p.created_at')],
  ];
  if (w('status') || actions) pairs.push(['status', col('p.status')]);
  // A single order always carries its version: it is the ETag, whatever the client's fieldset.
  if (w('version') || actions || spec.orderId !== undefined) pairs.push(['version', col('p.version')]);
  if (w('total')) pairs.push(['total', money('p.total_amount', 'p.currency')]);
  if (w('note')) pairs.push(['note', col('p.note')]);
  if (w('createdAt')) pairs.push(['createdAt', isoMillis('p.created_at')]);
  if (w('updatedAt')) pairs.push(['updatedAt', isoMillis('p.updated_at')]);
  if (w('customer') || actions) pairs.push(['customerId', col('p.customer_id')]);
  if (w('restaurant') || actions) pairs.push(['restaurantId', col('p.restaurant_id')]);
  if (w('rider') || actions) pairs.push(['riderId', col('p.rider_id')]);
  if (actions)
    pairs.push(['ownerId', col('(select r.owner_id from restaurants r where r.id = p.restaurant_id)')]);
  // Linkage of relations that are not included (included ones carry their order id instead).
  if (w('items') && !include.has('items'))
    pairs.push([
      'itemIds',
      col(
        "(select coalesce(json_agg(i.id order by i.name, i.id), '[]'::json) from order_items i where i.order_id = p.id)",
      ),
    ]);
  // No `eventIds` unless `include=events` (issue 15): an order's log only grows, and aggregating it
  // for every order of every page was most of a list's time in the database. The `events`
  // relationship then carries no linkage; `include=events` (one `= any(array)` probe) gives it.
  if (w('payment') && !include.has('payment'))
    pairs.push(['paymentId', col('(select pay.id from payments pay where pay.order_id = p.id)')]);
  return jsonArray(jsonObject(pairs), sql`from page p`, 'p.created_at desc, p.id desc');
}

function includedColumns(spec: OrderQuerySpec): SQL[] {
  const { fields, include } = spec;
  const out: SQL[] = [];
  const pageItems =
    'select i.menu_item_id from order_items i where i.order_id = any(array(select id from page))';

  if (include.has('restaurant')) {
    const pairs: [string, SQL][] = [['id', col('r.id')]];
    if (wants(fields, 'restaurants', 'name')) pairs.push(['name', col('r.name')]);
    if (wants(fields, 'restaurants', 'currency')) pairs.push(['currency', col('r.currency')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from restaurants r where r.id = any(array(select restaurant_id from page))`, 'r.id')} as "restaurants"`,
    );
  }

  if (include.has('customer') || include.has('rider')) {
    const sources = [
      include.has('customer') ? 'select customer_id from page' : null,
      include.has('rider') ? 'select rider_id from page where rider_id is not null' : null,
    ].filter((s): s is string => s !== null);
    const pairs: [string, SQL][] = [['id', col('u.id')]];
    if (wants(fields, 'users', 'name')) pairs.push(['name', col('u.name')]);
    if (wants(fields, 'users', 'role')) pairs.push(['role', col('u.role')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from users u where u.id = any(array(${sql.raw(sources.join(' union '))}))`, 'u.id')} as "users"`,
    );
  }

  if (include.has('items')) {
    const pairs: [string, SQL][] = [
      ['id', col('i.id')],
      ['orderId', col('i.order_id')],
    ];
    if (wants(fields, 'order-items', 'menuItem') || include.has('items.menuItem'))
      pairs.push(['menuItemId', col('i.menu_item_id')]);
    if (wants(fields, 'order-items', 'name')) pairs.push(['name', col('i.name')]);
    if (wants(fields, 'order-items', 'quantity')) pairs.push(['quantity', col('i.quantity')]);
    if (wants(fields, 'order-items', 'unitPrice'))
      pairs.push(['unitPrice', money('i.unit_price_amount', 'i.currency')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from order_items i where i.order_id = any(array(select id from page))`, 'i.order_id, i.name, i.id')} as "orderItems"`,
    );
  }

  if (include.has('items.menuItem')) {
    const pairs: [string, SQL][] = [['id', col('m.id')]];
    if (wants(fields, 'menu-items', 'restaurant')) pairs.push(['restaurantId', col('m.restaurant_id')]);
    if (wants(fields, 'menu-items', 'name')) pairs.push(['name', col('m.name')]);
    if (wants(fields, 'menu-items', 'price')) pairs.push(['price', money('m.price_amount', 'm.currency')]);
    if (wants(fields, 'menu-items', 'available')) pairs.push(['available', col('m.available')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from menu_items m where m.id = any(array(${sql.raw(pageItems)}))`, 'm.id')} as "menuItems"`,
    );
  }

  if (include.has('payment')) {
    const pairs: [string, SQL][] = [
      ['id', col('pay.id')],
      ['orderId', col('pay.order_id')],
    ];
    if (wants(fields, 'payments', 'status')) pairs.push(['status', col('pay.status')]);
    if (wants(fields, 'payments', 'amount')) pairs.push(['amount', money('pay.amount', 'pay.currency')]);
    if (wants(fields, 'payments', 'createdAt')) pairs.push(['createdAt', isoMillis('pay.created_at')]);
    if (wants(fields, 'payments', 'refundedAt')) pairs.push(['refundedAt', isoMillis('pay.refunded_at')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from payments pay where pay.order_id = any(array(select id from page))`, 'pay.order_id')} as "payments"`,
    );
  }

  if (include.has('events')) {
    const pairs: [string, SQL][] = [
      ['id', col('e.id')],
      ['orderId', col('e.order_id')],
    ];
    const ev = (f: Parameters<typeof wants<'order-events'>>[2]) => wants(fields, 'order-events', f);
    if (ev('action')) pairs.push(['action', col('e.action')]);
    if (ev('fromStatus')) pairs.push(['fromStatus', col('e.from_status')]);
    if (ev('toStatus')) pairs.push(['toStatus', col('e.to_status')]);
    if (ev('actorRole')) pairs.push(['actorRole', col('e.actor_role')]);
    if (ev('version')) pairs.push(['version', col('e.version')]);
    if (ev('reason')) pairs.push(['reason', col('e.reason')]);
    if (ev('createdAt')) pairs.push(['createdAt', isoMillis('e.created_at')]);
    out.push(
      sql`${jsonArray(jsonObject(pairs), sql`from order_events e where e.order_id = any(array(select id from page))`, 'e.order_id, e.version')} as "orderEvents"`,
    );
  }
  return out;
}

/**
 * The keyset page's candidates (size + 1 rows, newest first), read so that the cost follows the
 * actor's own orders, not the table (issue 15): each visibility branch is one index-ordered scan
 * that stops after size + 1 rows, and branches are merged. An owner's branch is one scan of
 * `orders_restaurant_created_idx` per restaurant they own (a LATERAL join: with
 * `restaurant_id in (select …)` the planner walked all of `orders_created_idx` and filtered out
 * almost every row — 2.3 s at a million orders); a rider's are their own orders
 * (`orders_rider_created_idx`) and the ready ones (`orders_status_created_idx`).
 */
function candidates(spec: OrderQuerySpec): SQL {
  const { actor } = spec;
  const limit = spec.size + 1;
  // Per restaurant, the planner guesses a restaurant holds 1/n of the table and walks
  // `orders_created_idx` filtering on `restaurant_id = vr.id` — fatal for a small restaurant in a
  // big table. So the restaurant is matched as a range of one (`>= and <=`: no equality, hence no
  // equivalence class that would drop it from the ORDER BY) and leads the ORDER BY: the same order
  // within one restaurant, which only `orders_restaurant_created_idx` delivers without a sort.
  const scan = (visibility: SQL, scope?: SQL) =>
    sql`select ${sql.raw(candidateColumns(spec).join(', '))}
          from orders o
         where ${visibility} and ${filterClause(spec)}
         order by ${scope ? sql`${scope}, ` : sql``}o.created_at desc nulls last, o.id desc nulls last
         limit ${limit}`;
  switch (actor.role) {
    case 'restaurant':
      return sql`select o.* from restaurants vr
          cross join lateral (${scan(sql`o.restaurant_id >= vr.id and o.restaurant_id <= vr.id`, sql`o.restaurant_id`)}) o
         where vr.owner_id = ${actor.userId}
         order by o.created_at desc, o.id desc limit ${limit}`;
    case 'rider':
      // A ready order has no rider yet; `is distinct from` keeps the branches disjoint regardless.
      return sql`select o.* from ((${scan(sql`o.rider_id = ${actor.userId}`)})
          union all (${scan(sql`o.status = 'ready' and o.rider_id is distinct from ${actor.userId}`)})) o
         order by o.created_at desc, o.id desc limit ${limit}`;
    case 'customer':
    case 'admin':
      return scan(visibleTo(actor));
  }
}

/**
 * The single statement for `spec`.
 *
 * @example
 * const [row] = await executeRows<OrderQueryRow>(db, orderQuery({ actor, include, fields, filter, size: 20 }));
 */
export function orderQuery(spec: OrderQuerySpec): SQL {
  const columns = [
    sql`(select count(*)::int from candidates) as "candidates"`,
    sql`${orderJson(spec)} as "orders"`,
    ...includedColumns(spec),
  ];
  return sql`with candidates as (${candidates(spec)}), page as (
      select * from candidates order by created_at desc, id desc limit ${spec.size}
    )
    select ${sql.join(columns, sql`, `)}`;
}

/** The compiled statement of each shape: its text, and its parameters with a placeholder for each value. */
const compiledShapes = new Map<string, Query>();
const MAX_SHAPES = 512;
const dialect = new PgDialect();

/**
 * Everything of `spec` that the statement is built from other than its bound values: the role,
 * includes, fieldsets, which filters are present, and the page size (written into two limits).
 */
function shapeOf(spec: OrderQuerySpec): string {
  const f = spec.filter;
  return JSON.stringify([
    spec.actor.role,
    spec.size,
    [...spec.include].sort(),
    Object.entries(spec.fields)
      .map(([type, set]) => [type, [...(set as ReadonlySet<string>)].sort()])
      .sort(),
    spec.orderId !== undefined,
    !!f.status?.length,
    !!f.restaurantIds?.length,
    !!f.createdAfter,
    !!f.createdBefore,
    !!spec.after,
  ]);
}

/** `spec` with a named placeholder for every value `orderQuery` binds (the size is in the shape). */
function withPlaceholders(spec: OrderQuerySpec): OrderQuerySpec {
  const p = (name: string) => sql.placeholder(name) as unknown as string;
  // A placeholder for a non-empty list: `filterClause` tests the list's length.
  const list = <T>(name: string) => Object.assign(sql.placeholder(name), { length: 1 }) as unknown as T[];
  const f = spec.filter;
  return {
    ...spec,
    actor: { ...spec.actor, userId: p('userId') },
    orderId: spec.orderId === undefined ? undefined : p('orderId'),
    filter: {
      status: f.status?.length ? list<OrderStatus>('status') : undefined,
      restaurantIds: f.restaurantIds?.length ? list<string>('restaurantIds') : undefined,
      createdAfter: f.createdAfter ? p('createdAfter') : undefined,
      createdBefore: f.createdBefore ? p('createdBefore') : undefined,
    },
    after: spec.after ? [p('afterAt'), p('afterId')] : undefined,
  };
}

/**
 * `orderQuery(spec)` as a statement that costs no query building: the statement of each shape
 * (role, includes, fieldsets, which filters) is built and compiled once, then only its values
 * are bound. Building and compiling the nested query on every read was a tenth of the CPU of a
 * `GET /orders/:id` in the API process (issue 15), and so was rendering it again from a Drizzle
 * `SQL` of its compiled text: the answer is the compiled text itself, run as it is
 * (`executeQuery`). Same text and parameters as `orderQuery`.
 */
export function orderStatement(spec: OrderQuerySpec): Query {
  const key = shapeOf(spec);
  let shape = compiledShapes.get(key);
  if (!shape) {
    shape = dialect.sqlToQuery(orderQuery(withPlaceholders(spec)));
    if (compiledShapes.size >= MAX_SHAPES) compiledShapes.clear();
    compiledShapes.set(key, shape);
  }
  const f = spec.filter;
  const params = fillPlaceholders(shape.params, {
    userId: spec.actor.userId,
    orderId: spec.orderId,
    status: f.status,
    restaurantIds: f.restaurantIds,
    createdAfter: f.createdAfter,
    createdBefore: f.createdBefore,
    afterAt: spec.after?.[0],
    afterId: spec.after?.[1],
  });
  return { ...shape, params };
}
