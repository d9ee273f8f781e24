/**
 * Order persistence for the use cases. Every statement here is chosen for what it guarantees and
 * for what it costs (issue 15: one round trip where possible):
 * - the snapshot read joins the owner so `decide()` needs no second query;
 * - a transition is ONE statement (data-modifying CTEs) that reads the order, updates it only if its
 *   version is the one expected and the lifecycle table lets this actor take the action from its
 *   status, appends the audit event atomically with it, and returns both the order as it was (to
 *   explain a refusal) and as it is now (the answer) — so the event log can never disagree with the
 *   order, across any number of API processes, and a client that sent its version needs no read first.
 */
import {
  type Database,
  executeCompiled,
  idempotencyKeys,
  menuItems,
  orderEvents,
  orderItems,
  orders,
  payments,
  slot,
  statementCache,
  type Tx,
} from '@quickeats/db';
import type { Actor, Order, OrderAction, OrderSnapshot, OrderStatus, Party, Role } from '@quickeats/domain';
import { allowedActions, canView, IdSchema, rulesFor } from '@quickeats/domain';
import { type Query, type SQL, sql } from 'drizzle-orm';
import { deadFor, type RecordRow, toRecord } from '../idempotency/postgres-records';
import type { FoundRecord, ReadAlong, ReadAlongValue } from '../idempotency/store';

export interface StoredOrder extends OrderSnapshot {
  id: string;
  restaurantId: string;
  totalAmount: number;
  currency: string;
}

/** Columns both order reads select (snake_case, as PostgreSQL returns them). */
type SnapshotRow = {
  id: string;
  status: OrderStatus;
  version: number;
  customer_id: string;
  restaurant_id: string;
  owner_id: string;
  rider_id: string | null;
  total_amount: number;
  currency: string;
};

type ItemJson = {
  id: string;
  menuItemId: string;
  name: string;
  quantity: number;
  unitPriceAmount: number;
  currency: string;
};

type ViewRow = SnapshotRow & {
  note: string | null;
  created_at: string | Date;
  updated_at: string | Date;
  items: ItemJson[] | null;
};

const SNAPSHOT_COLUMNS = sql.raw(
  'o.id, o.status, o.version, o.customer_id, o.restaurant_id, r.owner_id, o.rider_id, o.total_amount, o.currency',
);

/** Item rows `i` as the answer lists them (an `ItemJson` array). */
const ITEMS_JSON = sql`json_agg(json_build_object('id', i.id, 'menuItemId', i.menu_item_id, 'name', i.name,
          'quantity', i.quantity, 'unitPriceAmount', i.unit_price_amount, 'currency', i.currency) order by i.name, i.id)`;

/** The items of order `orderId` (a column expression), as the answer lists them. */
const itemsOf = (orderId: SQL) =>
  sql`(select ${ITEMS_JSON} from ${orderItems} i where i.order_id = ${orderId})`;

function toStored(row: SnapshotRow): StoredOrder {
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    customerId: row.customer_id,
    restaurantId: row.restaurant_id,
    restaurantOwnerId: row.owner_id,
    riderId: row.rider_id,
    totalAmount: row.total_amount,
    currency: row.currency,
  };
}

/** The order as the API shows it to `actor` (null when the actor may not see it). */
function toView(row: ViewRow, actor: Actor): Order | null {
  const snapshot = toStored(row);
  if (!canView(snapshot, actor)) return null;
  return {
    id: row.id,
    status: row.status,
    version: row.version,
    customerId: row.customer_id,
    restaurantId: row.restaurant_id,
    riderId: row.rider_id,
    total: { amount: row.total_amount, currency: row.currency },
    note: row.note,
    items: (row.items ?? []).map((i) => ({
      id: i.id,
      menuItemId: i.menuItemId,
      name: i.name,
      quantity: i.quantity,
      unitPrice: { amount: i.unitPriceAmount, currency: i.currency },
    })),
    allowedActions: allowedActions(snapshot, actor),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The statements of this module, compiled once per shape. */
const compiled = statementCache();

/** The snapshot's SELECT of the order whose id is the `orderId` slot. */
const SNAPSHOT_SELECT = sql`select ${SNAPSHOT_COLUMNS} from orders o join restaurants r on r.id = o.restaurant_id where o.id = ${slot('orderId')}`;

/** The decision snapshot of one order (1 statement), or null when it does not exist. */
export async function loadSnapshot(db: Database | Tx, orderId: string): Promise<StoredOrder | null> {
  const [row] = await executeCompiled<SnapshotRow>(
    db,
    compiled('snapshot', () => SNAPSHOT_SELECT),
    { orderId },
  );
  return row ? toStored(row) : null;
}

/**
 * `loadSnapshot`'s read as a scalar subquery (the row as JSON, null when there is none), for the
 * idempotency store to run with a key's lease (`ReadAlong`): a keyed pay reads its order in the
 * statement that takes its key. Read back with {@link snapshotFromAlong}. Undefined for a value that
 * is no order id: the route refuses it itself (400), and the statement must not fail on it first.
 */
export function snapshotAlong(orderId: unknown): ReadAlong | undefined {
  if (!IdSchema.safeParse(orderId).success) return undefined;
  return {
    name: 'snapshot',
    sql: sql`(select row_to_json(s) from (${SNAPSHOT_SELECT}) s)`,
    values: { orderId },
  };
}

/**
 * The snapshot read by {@link snapshotAlong}: null when the order does not exist, undefined when the
 * store did not read it (the action then reads for itself).
 */
export function snapshotFromAlong(along: ReadAlongValue | undefined): StoredOrder | null | undefined {
  if (!along) return undefined;
  return along.value ? toStored(along.value as SnapshotRow) : null;
}

/**
 * The order as the API shows it to `actor`, with its items and the actor's allowed actions
 * (1 statement); null when it does not exist or the actor may not see it (existence is not leaked).
 */
export async function loadOrderView(db: Database | Tx, orderId: string, actor: Actor): Promise<Order | null> {
  const [row] = await executeCompiled<ViewRow>(
    db,
    compiled(
      'view',
      () => sql`select ${SNAPSHOT_COLUMNS}, o.note, o.created_at, o.updated_at, ${itemsOf(sql`o.id`)} as items
          from orders o join restaurants r on r.id = o.restaurant_id
         where o.id = ${slot('orderId')}`,
    ),
    { orderId },
  );
  return row ? toView(row, actor) : null;
}

/**
 * `actor` stands in relation `party` to the order row `o` (its restaurant's owner in `cur`): the
 * SQL twin of the domain's `isParty`, for the relations the role check leaves open.
 */
function partyIs(party: Party, actor: Actor): SQL {
  switch (party) {
    case 'order-customer':
      return sql`o.customer_id = ${actor.userId}`;
    case 'restaurant-owner':
      return sql`cur.owner_id = ${actor.userId}`;
    case 'order-rider':
      return sql`o.rider_id = ${actor.userId}`;
    case 'admin':
    case 'any-rider':
      return sql`true`;
  }
}

/** The conditional write of `action` by `actor`: its target status, rider and guard, from the lifecycle table. */
function writePlan(action: OrderAction, actor: Actor) {
  const rules = rulesFor(action, actor.role);
  if (rules.length === 0) return null;
  const to = rules[0]!.to;
  const assigns = rules.map((r) => r.effects.includes('assign-rider'));
  // The table gives each action one target and assigns a rider in all of its rules or none.
  if (rules.some((r) => r.to !== to) || assigns.some((a) => a !== assigns[0])) return null;
  const guard = sql.join(
    rules.map(
      (r) =>
        sql`(o.status in (${sql.join(
          r.from.map((s) => sql`${s}`),
          sql`, `,
        )}) and ${partyIs(r.party, actor)})`,
    ),
    sql` or `,
  );
  return { to, riderId: assigns[0] ? sql`${actor.userId}::uuid` : sql`o.rider_id`, guard };
}

/** What a write statement that can carry a folded Idempotency-Key record answers. */
export interface WriteResult {
  /** The order as changed (or created) and shown to the actor, when this statement made the change. */
  after: Order | null;
  /** With a folded record: the key was not this request's to record (no longer held, or a live record), so nothing was written. */
  leaseLost?: boolean;
  /** The live record that held it, as an `insert` fold read it. */
  found?: FoundRecord | undefined;
}

export interface TransitionResult extends WriteResult {
  /** The order as the statement found it (null: no such order). */
  before: StoredOrder | null;
}

/**
 * The media type marking a stored response whose body is the answer's data (the order snapshot the
 * transition statement wrote with the change), not yet the bytes sent: a replay renders it with the
 * route's own renderer, which is what rendered the first answer from the very same text.
 */
export const ORDER_SNAPSHOT_TYPE = 'application/x.quickeats.order-snapshot+json';

/**
 * An Idempotency-Key record that the transition statement completes itself (issue 15), in the same
 * statement as the change and its event, so the effect and the record commit together in one round
 * trip: `held` — the key's in-flight row, held by `token`, becomes `completed` (the Postgres store,
 * whose lease is that row); `insert` — the completed row is inserted unless a live record of the key
 * exists, and that record is returned instead (a key claimed by the write itself, `WriteClaim`, and
 * the Upstash store, whose lease lives in Redis: the unique index is the last guard).
 */
export type FoldedRecord = {
  userId: string;
  route: string;
  key: string;
  retentionSeconds: number;
  /** The answer's status (201 for a create; default 200), kept with the record. */
  status?: number | undefined;
} & ({ mode: 'held'; token: string } | { mode: 'insert'; fingerprint: string });

/** The key's record row `alias` as JSON (a `RecordRow`, with the database's clock). */
function recordJson(alias: string): SQL {
  const col = (name: string) => sql.raw(`${alias}.${name}`);
  return sql`json_build_object('state', ${col('state')}, 'fingerprint', ${col('fingerprint')},
           'lease_expires_at', ${col('lease_expires_at')}, 'response_status', ${col('response_status')},
           'response_headers', ${col('response_headers')}, 'response_body', ${col('response_body')}, 'db_now', now())`;
}

/**
 * The CTEs of a folded record: `lk` locks the key's row first (FOR UPDATE, re-checked against its
 * latest version, so a concurrent takeover is seen), `gate` is what the update must also satisfy,
 * `write` completes the record from `snap` (the answer's data), and `found` is the answer's column
 * holding the live record that kept the gate shut (`insert` only).
 */
function foldedRecordSql(record: FoldedRecord) {
  const k = idempotencyKeys;
  const scope = sql`k.user_id = ${record.userId} and k.route = ${record.route} and k.key = ${record.key}`;
  const headers = sql`${JSON.stringify({ 'Content-Type': ORDER_SNAPSHOT_TYPE })}::jsonb`;
  const expires = sql`now() + make_interval(secs => ${record.retentionSeconds})`;
  const status = sql`${record.status ?? 200}::int`;
  if (record.mode === 'held') {
    return {
      lock: sql`lk as materialized (
          select k.id from ${k} k where ${scope} and k.lease_token = ${record.token} and k.state = 'in-flight'
             for update
        )`,
      gate: sql`exists (select 1 from lk)`,
      write: sql`rec as (
          update ${k} set state = 'completed', lease_token = null, lease_expires_at = null,
                 response_status = ${status}, response_headers = ${headers}, response_body = snap.body, expires_at = ${expires}
            from snap where ${k.id} in (select id from lk)
        )`,
      found: sql`null::json as key_record`,
    };
  }
  return {
    // Dead: past retention, or the lease of a holder that died running this very request.
    lock: sql`lk as materialized (
          select k.id, ${deadFor(sql`${record.fingerprint}`)} as dead, k.state, k.fingerprint, k.lease_expires_at,
                 k.response_status, k.response_headers, k.response_body
            from ${k} k where ${scope} for update
        )`,
    gate: sql`not exists (select 1 from lk where not lk.dead)`,
    // A concurrent insert of the same key makes this one fail on the unique index: the whole
    // statement, change included, rolls back (the caller reads that as the key lost).
    write: sql`rec_new as (
          insert into ${k} (user_id, route, key, fingerprint, state, response_status, response_headers, response_body, expires_at)
          select ${record.userId}, ${record.route}, ${record.key}, ${record.fingerprint}, 'completed', ${status}, ${headers},
                 snap.body, ${expires}
            from snap where not exists (select 1 from lk)
        ), rec_old as (
          update ${k} set fingerprint = ${record.fingerprint}, state = 'completed', lease_token = null,
                 lease_expires_at = null, response_status = ${status}, response_headers = ${headers},
                 response_body = snap.body, created_at = now(), expires_at = ${expires}
            from snap where ${k.id} in (select id from lk where lk.dead)
        )`,
    found: sql`(select ${recordJson('lk')} from lk where not lk.dead) as key_record`,
  };
}

/**
 * The answer's data as a folded record stores it (a {@link ViewRow} as JSON text, read back by
 * `orderFromSnapshot`): the order row `o` with what the statement changed or computed.
 */
function snapshotBody(
  o: string,
  v: { ownerId: SQL; status: SQL; version: SQL; riderId: SQL; updatedAt: SQL; items: SQL },
) {
  const col = (name: string) => sql.raw(`${o}.${name}`);
  return sql`json_build_object('id', ${col('id')}, 'status', ${v.status}, 'version', ${v.version},
         'customer_id', ${col('customer_id')}, 'restaurant_id', ${col('restaurant_id')}, 'owner_id', ${v.ownerId},
         'rider_id', ${v.riderId}, 'total_amount', ${col('total_amount')}, 'currency', ${col('currency')},
         'note', ${col('note')}, 'created_at', ${col('created_at')}, 'updated_at', ${v.updatedAt},
         'items', ${v.items})::text`;
}

/** A menu item as `placeOrder` explains a refused order line with it. */
export interface MenuLine {
  id: string;
  name: string;
  priceAmount: number;
  currency: string;
  available: boolean;
}

/** A new order as its customer asked for it: the statement prices its lines from the menu. */
export interface OrderRequest {
  customerId: string;
  restaurantId: string;
  note: string | null;
  /** Distinct menu items (`placeOrder` refuses a repeated one first). */
  lines: { menuItemId: string; quantity: number }[];
}

export interface CreateResult extends WriteResult {
  /**
   * Nothing was inserted because some line cannot be ordered as asked (not on this restaurant's
   * menu, not available, or the items are priced in different currencies): the restaurant's menu
   * items among the lines, read by the same statement, for the refusal to name them.
   */
  refusedMenu?: MenuLine[];
}

/**
 * Create an order in ONE statement (data-modifying CTEs, one round trip): read the restaurant's menu
 * items among the lines, and only if every line can be ordered — on this restaurant's menu,
 * available, all in one currency — insert the order priced from that menu, its items, its `create`
 * event and, with `record`, the Idempotency-Key record holding the answer's data. Otherwise nothing
 * is written and the menu rows come back for `placeOrder` to explain the refusal.
 *
 * With an `insert` record (a key the create claims itself, `WriteClaim`, or the Upstash store's), a
 * live record of the key shuts the gate before anything else is looked at: a replay is answered
 * from that record, never validated again against a menu that may have changed since.
 */
export async function insertOrder(
  db: Database | Tx,
  actor: Actor,
  order: OrderRequest,
  record?: FoldedRecord,
): Promise<CreateResult> {
  const statement = compiled(`create ${order.lines.length} ${record?.mode ?? '-'}`, () =>
    insertOrderSql(order.lines.length, record?.mode),
  );
  const [row] = await executeCompiled<{
    snapshot: string | null;
    key_held: boolean;
    key_record: RecordRow | null;
    refused_menu: MenuLine[] | null;
  }>(db, statement, {
    customerId: order.customerId,
    restaurantId: order.restaurantId,
    note: order.note,
    actorId: actor.userId,
    actorRole: actor.role,
    ...Object.fromEntries(
      order.lines.flatMap((l, i) => [
        [`line${i}MenuItemId`, l.menuItemId],
        [`line${i}Quantity`, l.quantity],
      ]),
    ),
    ...(record && recordValues(record)),
  });
  if (!row?.key_held) return { after: null, leaseLost: true, found: foundRecord(row?.key_record) };
  if (row.snapshot === null) return { after: null, refusedMenu: row.refused_menu ?? [] };
  return { after: orderFromSnapshot(row.snapshot, actor) };
}

/** The create statement for an order of `lineCount` lines (and a folded record of `recordMode`). */
function insertOrderSql(lineCount: number, recordMode: FoldedRecord['mode'] | undefined): SQL {
  const fold = recordMode ? foldedRecordSql(recordSlots(recordMode)) : null;
  const lines = sql.join(
    Array.from(
      { length: lineCount },
      (_, i) => sql`(${slot(`line${i}MenuItemId`)}::uuid, ${slot(`line${i}Quantity`)}::int)`,
    ),
    sql`, `,
  );
  const items = sql`(select ${ITEMS_JSON} from i)`;
  const gate = fold ? fold.gate : sql`true`;
  return sql`with ${fold ? sql`${fold.lock}, ` : sql``}l as (
          select * from (values ${lines}) as l(menu_item_id, quantity)
        ), m as materialized (
          select m.id, m.name, m.price_amount, m.currency, m.available from ${menuItems} m
           where m.restaurant_id = ${slot('restaurantId')} and m.id in (select menu_item_id from l)
        ), priced as (
          select count(m.id) = ${sql.raw(String(lineCount))} and bool_and(m.available)
                 and count(distinct m.currency) = 1 as orderable,
                 sum(m.price_amount * l.quantity) as total, min(m.currency) as currency
            from l left join m on m.id = l.menu_item_id
        ), o as (
          insert into ${orders} (customer_id, restaurant_id, total_amount, currency, note)
          select ${slot('customerId')}, ${slot('restaurantId')}, priced.total, priced.currency, ${slot('note')}
            from priced where priced.orderable and ${gate}
       returning id, status, version, customer_id, restaurant_id, rider_id, total_amount, currency, note,
                 created_at, updated_at
        ), i as (
          insert into ${orderItems} (order_id, menu_item_id, name, quantity, unit_price_amount, currency)
          select o.id, l.menu_item_id, m.name, l.quantity, m.price_amount, o.currency
            from o, l join m on m.id = l.menu_item_id
       returning id, menu_item_id, name, quantity, unit_price_amount, currency
        ), ev as (
          insert into ${orderEvents} (order_id, action, from_status, to_status, actor_id, actor_role, version)
          select o.id, 'create', null, o.status, ${slot('actorId')}, ${slot('actorRole')}, o.version from o
        ), snap as (
          select ${snapshotBody('o', { ownerId: sql`r.owner_id`, status: sql`o.status`, version: sql`o.version`, riderId: sql`o.rider_id`, updatedAt: sql`o.updated_at`, items })} as body
            from o join restaurants r on r.id = o.restaurant_id
        )${fold ? sql`, ${fold.write}` : sql``}
        select snap.body as snapshot, ${gate} as key_held,
               ${fold ? fold.found : sql`null::json as key_record`},
               case when snap.body is null and ${gate} then
                 (select coalesce(json_agg(json_build_object('id', m.id, 'name', m.name, 'priceAmount', m.price_amount,
                                  'currency', m.currency, 'available', m.available)), '[]') from m)
               end as refused_menu
          from (select 1) one left join snap on true`;
}

function foundRecord(row: RecordRow | null | undefined): FoundRecord | undefined {
  return row ? { record: toRecord(row), now: new Date(row.db_now) } : undefined;
}

/** The order an {@link ORDER_SNAPSHOT_TYPE} body holds, as the API shows it to `actor`. */
export function orderFromSnapshot(body: string, actor: Actor): Order {
  const order = toView(JSON.parse(body) as ViewRow, actor);
  if (!order) throw new Error('A stored order snapshot is not visible to the actor it was written for');
  return order;
}

/** The payment row a pay records: the provider's charge, written by the transition's own statement. */
export interface PaymentRow {
  amount: number;
  currency: string;
  providerReference: string;
  idempotencyKey: string;
}

/** What the transition statement writes besides the change and its event. */
export interface TransitionWith {
  /** The Idempotency-Key record, completed with the answer's data. */
  record?: FoldedRecord | undefined;
  /** The pay's charge (only inserted when the change is made). */
  payment?: PaymentRow | undefined;
}

/**
 * The transition statement for a shape; its values are the placeholders `transitionOrder` fills:
 * the order, its expected version, the actor, the reason, and the record's and payment's fields.
 * Exported for its plan test (`write-plans.test.ts`).
 */
export function transitionStatement(
  action: OrderAction,
  role: Role,
  recordMode: FoldedRecord['mode'] | undefined,
  withPayment: boolean,
): Query {
  return compiled(`transition ${action} ${role} ${recordMode ?? '-'} ${withPayment}`, () =>
    transitionSql(action, { userId: slot('actorId'), role }, recordMode, withPayment),
  );
}

/** A folded record of `mode` whose fields are placeholders, filled by {@link recordValues}. */
function recordSlots(mode: FoldedRecord['mode']): FoldedRecord {
  const holder = slot<string>('keyHolder');
  return {
    userId: slot('keyUserId'),
    route: slot('keyRoute'),
    key: slot('key'),
    retentionSeconds: slot('retentionSeconds'),
    status: slot('answerStatus'),
    ...(mode === 'held'
      ? { mode: 'held' as const, token: holder }
      : { mode: 'insert' as const, fingerprint: holder }),
  };
}

/** The values of {@link recordSlots} for `record`. */
function recordValues(record: FoldedRecord): Record<string, unknown> {
  return {
    keyUserId: record.userId,
    keyRoute: record.route,
    key: record.key,
    keyHolder: record.mode === 'held' ? record.token : record.fingerprint,
    retentionSeconds: record.retentionSeconds,
    answerStatus: record.status ?? 200,
  };
}

function transitionSql(
  action: OrderAction,
  actor: Actor,
  recordMode: FoldedRecord['mode'] | undefined,
  withPayment: boolean,
): SQL {
  const plan = writePlan(action, actor);
  // No rule for this role: nothing can match (the domain refuses it with a 403 from `before`).
  const guard = plan?.guard ?? sql`false`;
  // With a folded record, the update only happens while no live record holds the key, and the same
  // statement stores the record with the answer's data: neither commits alone.
  const fold = recordMode ? foldedRecordSql(recordSlots(recordMode)) : null;
  const keyLock = fold ? sql`${fold.lock}, ` : sql``;
  const keyGate = fold ? sql` and ${fold.gate}` : sql``;
  const folded = fold
    ? sql`, snap as (
          select ${snapshotBody('cur', { ownerId: sql`cur.owner_id`, status: sql`upd.status`, version: sql`upd.version`, riderId: sql`upd.rider_id`, updatedAt: sql`upd.updated_at`, items: itemsOf(sql`cur.id`) })} as body
            from cur, upd
        ), ${fold.write}`
    : sql``;
  const paid = withPayment
    ? sql`, paid as (
          insert into ${payments} (order_id, amount, currency, status, provider_reference, idempotency_key)
          select cur.id, ${slot('paymentAmount')}, ${slot('paymentCurrency')}, 'succeeded', ${slot('providerReference')},
                 ${slot('paymentKey')}
            from cur, upd
        )`
    : sql``;
  const answer = fold
    ? sql`snap.body as snapshot, ${fold.gate} as key_held, ${fold.found}
          from cur left join upd on true left join snap on true`
    : sql`case when upd.version is not null then ${itemsOf(sql`cur.id`)} end as items
          from cur left join upd on true`;
  return sql`with ${keyLock}cur as (
          select ${SNAPSHOT_COLUMNS}, o.note, o.created_at, o.updated_at
            from ${orders} o join restaurants r on r.id = o.restaurant_id
           where o.id = ${slot('orderId')}
        ), upd as (
          update ${orders} o
             set status = ${plan?.to ?? 'pending'}, version = o.version + 1,
                 rider_id = ${plan?.riderId ?? sql`o.rider_id`}, updated_at = now()
            from cur
           where o.id = ${slot('orderId')} and o.id = cur.id and o.version = ${slot('expectedVersion')}
             and (${guard})${keyGate}
       returning o.status, o.version, o.rider_id, o.updated_at
        ), ev as (
          insert into ${orderEvents} (order_id, action, from_status, to_status, actor_id, actor_role, version, reason)
          select cur.id, ${action}, cur.status, upd.status, ${actor.userId}, ${actor.role}, upd.version, ${slot('reason')}
            from cur, upd
        )${paid}${folded}
        select cur.*, upd.status as new_status, upd.version as new_version, upd.rider_id as new_rider_id,
               upd.updated_at as new_updated_at, ${answer}`;
}

/**
 * Take `action` on the order if it is still at `expectedVersion` and the lifecycle table allows it
 * to `actor` from its status — in one statement (one round trip, prepared): the conditional
 * `UPDATE … WHERE version AND status AND party`, the audit event, and the answer's data — and, with
 * them, what `with` asks for (the pay's payment row, the Idempotency-Key record). When the update
 * matched nothing, `before` says what the order was, for the refusal, and nothing else is written.
 *
 * The event's `from_status` is the status read by the same statement: the update only matches when
 * that read saw `expectedVersion`, and a concurrent writer that changed the row since fails its
 * re-check (every write bumps the version), so the status read is the one the update replaced.
 */
export async function transitionOrder(
  db: Database | Tx,
  orderId: string,
  expectedVersion: number,
  action: OrderAction,
  actor: Actor,
  reason: string | undefined,
  { record, payment }: TransitionWith = {},
): Promise<TransitionResult> {
  const [row] = await executeCompiled<
    ViewRow & {
      new_status: OrderStatus | null;
      new_version: number | null;
      new_rider_id: string | null;
      snapshot?: string | null;
      key_held?: boolean;
      key_record?: RecordRow | null;
    }
  >(db, transitionStatement(action, actor.role, record?.mode, !!payment), {
    orderId,
    expectedVersion,
    actorId: actor.userId,
    reason: reason ?? null,
    ...(record && recordValues(record)),
    ...(payment && {
      paymentAmount: payment.amount,
      paymentCurrency: payment.currency,
      providerReference: payment.providerReference,
      paymentKey: payment.idempotencyKey,
    }),
  });
  if (!row) return { before: null, after: null };
  const before = toStored(row);
  if (record && !row.key_held)
    return { before, after: null, leaseLost: true, found: foundRecord(row.key_record) };
  if (row.new_version === null) return { before, after: null };
  // Folded: the answer is rendered from the very text stored with the key, as its replays will be.
  if (record) return { before, after: orderFromSnapshot(row.snapshot!, actor) };
  const after = toView(
    {
      ...row,
      status: row.new_status!,
      version: row.new_version,
      rider_id: row.new_rider_id,
      updated_at: (row as unknown as { new_updated_at: string | Date }).new_updated_at,
    },
    actor,
  );
  return { before, after };
}

export type { OrderAction };
