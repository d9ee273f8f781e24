/**
 * JSON:API 1.1 compound documents (https://jsonapi.org/format/#document-compound-documents) from
 * the read layer's results: primary data, every included resource exactly once, full linkage
 * between them, and for lists the cursor-pagination profile's `links.next` (null on the last page)
 * and per-item `meta.page.cursor`.
 */
import type { Fieldsets } from '../reads/fieldsets';
import type { OrderReadResult, ReadOrder } from '../reads/order-reads';
import type { RestaurantReadResult } from '../reads/restaurant-reads';
import {
  menuItemResource,
  type OrderLinkage,
  orderEventResource,
  orderItemResource,
  orderResource,
  paymentResource,
  restaurantResource,
  userResource,
} from './resources';
import type {
  IncludedResource,
  OrderDocument,
  OrderListDocument,
  RestaurantDocument,
  RestaurantListDocument,
} from './schemas';

const JSONAPI = { version: '1.1' } as const;

function groupIds<T extends { id: string }>(rows: T[] | undefined, key: (row: T) => string) {
  const map = new Map<string, string[]>();
  for (const row of rows ?? []) {
    const list = map.get(key(row));
    if (list) list.push(row.id);
    else map.set(key(row), [row.id]);
  }
  return map;
}

/** Relationship data from the included sets where they were included, else from the id lists. */
function linkageOf(result: OrderReadResult): OrderLinkage {
  const { orderItems, orderEvents, payments } = result.included;
  const items = groupIds(orderItems, (i) => i.orderId);
  const events = groupIds(orderEvents, (e) => e.orderId);
  const payment = new Map((payments ?? []).map((p) => [p.orderId, p.id]));
  return {
    items: (o: ReadOrder) => (orderItems ? (items.get(o.id) ?? []) : o.itemIds),
    events: (o: ReadOrder) => (orderEvents ? (events.get(o.id) ?? []) : o.eventIds),
    payment: (o: ReadOrder) => (payments ? (payment.get(o.id) ?? null) : o.paymentId),
  };
}

function includedOf(result: OrderReadResult, fields: Fieldsets): IncludedResource[] | undefined {
  const inc = result.included;
  const sets = [
    inc.restaurants?.map((r) => restaurantResource(r, fields)),
    inc.users?.map((u) => userResource(u, fields)),
    inc.orderItems?.map((i) => orderItemResource(i, fields)),
    inc.menuItems?.map((m) => menuItemResource(m, fields)),
    inc.payments?.map((p) => paymentResource(p, fields)),
    inc.orderEvents?.map((e) => orderEventResource(e, fields)),
  ];
  if (sets.every((s) => s === undefined)) return undefined;
  return sets.flatMap((s) => s ?? []);
}

export interface PageLinks {
  self: string;
  next: string | null;
}

export function orderListDocument(
  result: OrderReadResult,
  fields: Fieldsets,
  links: PageLinks,
): OrderListDocument {
  const linkage = linkageOf(result);
  const included = includedOf(result, fields);
  return {
    jsonapi: JSONAPI,
    data: result.orders.map((o) => orderResource(o, fields, linkage, true)),
    ...(included ? { included } : {}),
    links,
  };
}

/** A single-order document; `result` holds exactly one order. */
export function orderReadDocument(result: OrderReadResult, fields: Fieldsets, self: string): OrderDocument {
  const [order] = result.orders;
  if (!order) throw new Error('orderReadDocument needs one order');
  const included = includedOf(result, fields);
  return {
    jsonapi: JSONAPI,
    data: orderResource(order, fields, linkageOf(result), false),
    ...(included ? { included } : {}),
    links: { self },
  };
}

function restaurantData(result: RestaurantReadResult, fields: Fieldsets) {
  const menus = result.included.menuItems;
  const byRestaurant = groupIds(menus, (m) => m.restaurantId);
  return {
    data: result.restaurants.map((r) =>
      restaurantResource(r, fields, menus ? (byRestaurant.get(r.id) ?? []) : undefined),
    ),
    included: menus?.map((m) => menuItemResource(m, fields)),
  };
}

export function restaurantListDocument(
  result: RestaurantReadResult,
  fields: Fieldsets,
  links: PageLinks,
): RestaurantListDocument {
  const { data, included } = restaurantData(result, fields);
  return { jsonapi: JSONAPI, data, ...(included ? { included } : {}), links };
}

export function restaurantDocument(
  result: RestaurantReadResult,
  fields: Fieldsets,
  self: string,
): RestaurantDocument {
  const { data, included } = restaurantData(result, fields);
  const [first] = data;
  if (!first) throw new Error('restaurantDocument needs one restaurant');
  // A single resource carries no page cursor.
  const { meta: _cursor, ...restaurant } = first;
  return { jsonapi: JSONAPI, data: restaurant, ...(included ? { included } : {}), links: { self } };
}

/**
 * `self`/`next` links of a page: the request's own path and parameters, with `page[after]` set to
 * the next cursor. Brackets stay literal so the links read like the documented parameters.
 */
export function pageLinks(url: string, nextCursor: string | null): PageLinks {
  const u = new URL(url);
  const render = (params: URLSearchParams) => {
    const qs = [...params]
      .map(
        ([k, v]) =>
          `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v).replace(/%2C/g, ',')}`,
      )
      .join('&');
    return qs ? `${u.pathname}?${qs}` : u.pathname;
  };
  const self = render(u.searchParams);
  if (nextCursor === null) return { self, next: null };
  const next = new URLSearchParams(u.searchParams);
  next.set('page[after]', nextCursor);
  return { self, next: render(next) };
}
