/**
 * Small factories for order tests: call the v2 API as a seeded user, create an order at the demo
 * owner's restaurant, and walk it to any lifecycle state through the real action routes; build
 * POSTs the way a client sends them (Idempotency-Key, If-Match) and read back what a replay must repeat.
 */
import { randomUUID } from 'node:crypto';
import {
  type Database,
  DEMO_ACCOUNTS,
  executeRows,
  loadDemoWorld,
  menuItems,
  restaurants,
  users,
} from '@quickeats/db';
import type { OrderAction, OrderStatus } from '@quickeats/domain';
import { eq, sql } from 'drizzle-orm';

import type { TestApp } from './test-app';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & {
    data?: {
      id: string;
      attributes: { status: OrderStatus; version: number; allowedActions: OrderAction[] };
    };
    code?: string;
    allowedActions?: OrderAction[];
    currentVersion?: number;
  };
}

export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

export function client(fetcher: Fetcher, token: string) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> => {
    const res = await fetcher(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    /**
     * POST /api/v2/orders/:id/<action> with If-Match for `version` and, as a real client sends it, a
     * fresh Idempotency-Key (required on pay; pass one in `headers` to reuse it).
     */
    act: (
      orderId: string,
      action: OrderAction,
      version: number | null,
      headers: Record<string, string> = {},
    ) =>
      call('POST', `/api/v2/orders/${orderId}/${action}`, undefined, {
        'idempotency-key': `act-${crypto.randomUUID()}`,
        ...(version === null ? {} : { 'if-match': `"v${version}"` }),
        ...headers,
      }),
  };
}

export type Client = ReturnType<typeof client>;

/** The demo owner's restaurant and two of its menu items. */
export async function demoMenu(t: TestApp) {
  const [r] = await t.database.db
    .select({ id: restaurants.id })
    .from(restaurants)
    .innerJoin(users, eq(users.id, restaurants.ownerId))
    .where(eq(users.email, DEMO_ACCOUNTS.owner));
  const items = await t.database.db
    .select({ id: menuItems.id })
    .from(menuItems)
    .where(eq(menuItems.restaurantId, r!.id))
    .limit(2);
  return { restaurantId: r!.id, menuItemIds: items.map((i) => i.id) };
}

/** Paths from `pending` to each state, with who acts (customer, owner, rider, admin). */
export const PATHS: Record<OrderStatus, [OrderAction, 'customer' | 'owner' | 'rider'][]> = {
  pending: [],
  paid: [['pay', 'customer']],
  accepted: [
    ['pay', 'customer'],
    ['accept', 'owner'],
  ],
  ready: [
    ['pay', 'customer'],
    ['accept', 'owner'],
    ['mark-ready', 'owner'],
  ],
  picked_up: [
    ['pay', 'customer'],
    ['accept', 'owner'],
    ['mark-ready', 'owner'],
    ['pick-up', 'rider'],
  ],
  delivered: [
    ['pay', 'customer'],
    ['accept', 'owner'],
    ['mark-ready', 'owner'],
    ['pick-up', 'rider'],
    ['deliver', 'rider'],
  ],
  cancelled: [['cancel', 'customer']],
  rejected: [
    ['pay', 'customer'],
    ['reject', 'owner'],
  ],
};

export async function demoClients(
  t: TestApp,
  fetcher: Fetcher = (p, i) => Promise.resolve(t.app.request(p, i)),
) {
  const as = async (email: string) => client(fetcher, await t.tokenFor(email));
  return {
    customer: await as(DEMO_ACCOUNTS.customer),
    otherCustomer: await as('customer2@quickeats.test'),
    owner: await as(DEMO_ACCOUNTS.owner),
    otherOwner: await as('owner2@quickeats.test'),
    rider: await as(DEMO_ACCOUNTS.rider),
    otherRider: await as('rider2@quickeats.test'),
    admin: await as(DEMO_ACCOUNTS.admin),
  };
}
export type DemoClients = Awaited<ReturnType<typeof demoClients>>;

/** Create an order as the demo customer and walk it to `status`; returns its id and version. */
export async function orderIn(
  t: TestApp,
  c: DemoClients,
  status: OrderStatus,
): Promise<{ id: string; version: number }> {
  const menu = await demoMenu(t);
  const created = await c.customer.post(
    '/api/v2/orders',
    {
      restaurantId: menu.restaurantId,
      items: menu.menuItemIds.map((menuItemId, i) => ({ menuItemId, quantity: i + 1 })),
    },
    { 'idempotency-key': `fixture-${crypto.randomUUID()}` },
  );
  if (created.status !== 201)
    throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  let id = created.body.data!.id;
  let version = created.body.data!.attributes.version;
  for (const [action, who] of PATHS[status]) {
    const res = await c[who].act(id, action, version, {
      'idempotency-key': `fixture-${crypto.randomUUID()}`,
    });
    if (res.status !== 200)
      throw new Error(`${action} by ${who} failed: ${res.status} ${JSON.stringify(res.body)}`);
    id = res.body.data!.id;
    version = res.body.data!.attributes.version;
  }
  return { id, version };
}

/**
 * Row counts and a checksum of everything an action could change: "nothing changed" assertions.
 * Idempotency records are left out on purpose: a refused request that carried a key stores its 4xx
 * (SPEC "Idempotency"), which is the record of the refusal, not a change to any order.
 */
export async function databaseFingerprint(t: TestApp) {
  const [row] = await executeRows<{ fp: string }>(
    t.database.db,
    sql`select md5(string_agg(x, ',' order by x)) as fp from (
       select 'o' || id || status || version || coalesce(rider_id::text, '') as x from orders
       union all select 'e' || id from order_events
       union all select 'p' || id || status from payments
       union all select 'i' || id from order_items) s`,
  );
  return row!.fp;
}

/** A dish of the demo owner's restaurant, so that the demo owner can accept the orders made with it. */
export async function demoDish(db: Database): Promise<{ restaurantId: string; menuItemId: string }> {
  const { restaurantId, menuItemId } = await loadDemoWorld(db);
  return { restaurantId, menuItemId };
}

export interface PostOptions {
  token: string;
  key?: string | undefined;
  ifMatch?: string | undefined;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
}

/** A `RequestInit` for a v2 POST with the headers a client would send. */
export function postInit(options: PostOptions): RequestInit {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  return { method: 'POST', headers, body };
}

export const newKey = () => randomUUID();

/** Sends a request to the API under test: `t.app.request` in process, `fetch(url + path)` to a process. */
export type Send = (path: string, init: RequestInit) => Response | Promise<Response>;

/**
 * Place a keyed order of `quantity` × `dish` as the token's customer and return what later steps
 * need; anything but 201 throws with the answer, so a fixture failure reads as one.
 */
export async function placeOrder(
  send: Send,
  token: string,
  dish: { restaurantId: string; menuItemId: string },
  quantity = 1,
): Promise<{ id: string; total: number; currency: string }> {
  const res = await send(
    '/api/v2/orders',
    postInit({
      token,
      key: newKey(),
      body: { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity }] },
    }),
  );
  if (res.status !== 201) throw new Error(`placing an order failed: ${res.status} ${await res.text()}`);
  const doc = (await res.json()) as {
    data: { id: string; attributes: { total: { amount: number; currency: string } } };
  };
  return {
    id: doc.data.id,
    total: doc.data.attributes.total.amount,
    currency: doc.data.attributes.total.currency,
  };
}

/** The parts of a response that a replay must reproduce, read once. */
export async function answerOf(res: Response) {
  return {
    status: res.status,
    body: await res.text(),
    contentType: res.headers.get('content-type'),
    etag: res.headers.get('etag'),
    location: res.headers.get('location'),
    replayed: res.headers.get('idempotent-replayed'),
    retryAfter: res.headers.get('retry-after'),
    statements: Number(res.headers.get('x-sql-statements')),
  };
}
