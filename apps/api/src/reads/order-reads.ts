/**
 * Order read use cases shared by REST, tRPC (and the bench): validate the page request, run the
 * one-statement query, and finish what SQL cannot — the caller's `allowedActions` (the domain's
 * decision table) and the opaque cursor of each row.
 */
import { type Database, executeQuery, type Tx } from '@quickeats/db';
import { type Actor, allowedActions, type OrderAction, type OrderIncludePath } from '@quickeats/domain';
import { decodeCursor, encodeCursor } from './cursor';
import type { Fieldsets } from './fieldsets';
import { type OrderFilter, type OrderQueryRow, type OrderRow, orderStatement } from './order-query';
import { JSONAPI_PAGE_PARAMS, type PageParamNames, resolvePageSize } from './paging';

export interface OrderListRequest {
  include?: Iterable<OrderIncludePath>;
  fields?: Fieldsets;
  filter?: OrderFilter;
  /** Requested page size; undefined → DEFAULT_PAGE_SIZE. */
  size?: number | undefined;
  /** Opaque cursor from a previous page. */
  after?: string | undefined;
}

export type ReadOrder = OrderRow & { cursor: string; allowedActions?: OrderAction[] };

export interface OrderReadResult {
  orders: ReadOrder[];
  /** Cursor of the last row when another page exists, else null. */
  nextCursor: string | null;
  included: Omit<OrderQueryRow, 'candidates' | 'orders'>;
}

/** Dotted paths need their intermediate resources (JSON:API "full linkage"): `items.menuItem` ⇒ `items`. */
export function withIntermediates(paths: Iterable<OrderIncludePath>): Set<OrderIncludePath> {
  const set = new Set(paths);
  if (set.has('items.menuItem')) set.add('items');
  return set;
}

function finish(actor: Actor, row: OrderQueryRow | undefined, size: number): OrderReadResult {
  if (!row) throw new Error('order query returned no row');
  const { candidates, orders, ...included } = row;
  const read = orders.map((o): ReadOrder => {
    const cursor = encodeCursor('orders', [o.cursorAt, o.id]);
    if (o.status === undefined || o.ownerId === undefined) return { ...o, cursor };
    const snapshot = {
      status: o.status,
      version: o.version ?? 1,
      customerId: o.customerId ?? '',
      restaurantOwnerId: o.ownerId,
      riderId: o.riderId ?? null,
    };
    const { ownerId: _internal, ...visible } = o;
    return { ...visible, cursor, allowedActions: allowedActions(snapshot, actor) };
  });
  const last = read.at(-1);
  return { orders: read, nextCursor: candidates > size && last ? last.cursor : null, included };
}

/**
 * One page of the orders `actor` may see, newest first, in exactly one SQL statement.
 *
 * @example
 * const page = await listOrders(db, actor, { include: ['restaurant', 'items.menuItem'], size: 50 });
 */
export async function listOrders(
  db: Database | Tx,
  actor: Actor,
  request: OrderListRequest,
  params: PageParamNames = JSONAPI_PAGE_PARAMS,
): Promise<OrderReadResult> {
  const size = resolvePageSize(request.size, params.size);
  const after = request.after === undefined ? undefined : decodeCursor('orders', request.after, params.after);
  const [row] = await executeQuery<OrderQueryRow & Record<string, unknown>>(
    db,
    orderStatement({
      actor,
      include: withIntermediates(request.include ?? []),
      fields: request.fields ?? {},
      filter: request.filter ?? {},
      size,
      after,
    }),
  );
  return finish(actor, row, size);
}

/**
 * One order with the requested includes (one statement), or null when it does not exist or the
 * actor may not see it — the same answer, so existence is not leaked.
 */
export async function readOrder(
  db: Database | Tx,
  actor: Actor,
  orderId: string,
  request: Pick<OrderListRequest, 'include' | 'fields'> = {},
): Promise<OrderReadResult | null> {
  const [row] = await executeQuery<OrderQueryRow & Record<string, unknown>>(
    db,
    orderStatement({
      actor,
      include: withIntermediates(request.include ?? []),
      fields: request.fields ?? {},
      filter: {},
      size: 1,
      orderId,
    }),
  );
  const result = finish(actor, row, 1);
  return result.orders.length === 1 ? { ...result, nextCursor: null } : null;
}
