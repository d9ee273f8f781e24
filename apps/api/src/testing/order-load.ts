/**
 * Drives whole order lifecycles through real API processes (tests and the bench): many customers,
 * restaurants and riders, each request sent to one of several processes at random, a bounded number
 * of orders in flight. Tokens are signed with the processes' shared secret (no login round trips).
 */
import { randomUUID } from 'node:crypto';
import { type Database, executeRows } from '@quickeats/db';
import type { Actor, OrderAction } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { signAccessToken } from '../auth/token';

export interface LoadParty extends Actor {
  token: string;
}

export interface LoadWorld {
  restaurants: { id: string; owner: LoadParty; menuItemId: string }[];
  customers: LoadParty[];
  riders: LoadParty[];
  admin: LoadParty;
}

/** Every restaurant with an available dish, every customer and rider of a seeded database. */
export async function loadWorld(db: Database, tokenSecret: string): Promise<LoadWorld> {
  const party = async (userId: string, role: Actor['role']): Promise<LoadParty> => ({
    userId,
    role,
    token: await signAccessToken({ userId, role }, tokenSecret, 24 * 3600),
  });
  const restaurants = await executeRows<{ id: string; owner_id: string; menu_item_id: string }>(
    db,
    sql`select r.id, r.owner_id, (select m.id from menu_items m where m.restaurant_id = r.id and m.available
          order by m.name limit 1) as menu_item_id from restaurants r order by r.name`,
  );
  const users = await executeRows<{ id: string; role: Actor['role'] }>(
    db,
    sql`select id, role from users where role in ('customer', 'rider', 'admin') order by email`,
  );
  return {
    restaurants: await Promise.all(
      restaurants
        .filter((r) => r.menu_item_id)
        .map(async (r) => ({
          id: r.id,
          owner: await party(r.owner_id, 'restaurant'),
          menuItemId: r.menu_item_id,
        })),
    ),
    customers: await Promise.all(
      users.filter((u) => u.role === 'customer').map((u) => party(u.id, 'customer')),
    ),
    riders: await Promise.all(users.filter((u) => u.role === 'rider').map((u) => party(u.id, 'rider'))),
    admin: await party(users.find((u) => u.role === 'admin')!.id, 'admin'),
  };
}

/** The five transitions of a delivered order after its creation, and who makes each. */
export const DELIVERY: [OrderAction, 'customer' | 'owner' | 'rider'][] = [
  ['pay', 'customer'],
  ['accept', 'owner'],
  ['mark-ready', 'owner'],
  ['pick-up', 'rider'],
  ['deliver', 'rider'],
];

export interface DriveOptions {
  /** API base URLs; each request goes to one at random. */
  urls: string[];
  world: LoadWorld;
  orders: number;
  /** Orders in flight at once. */
  concurrency: number;
  /** After every committed change: the order, its new version, when the API answered. */
  onChange?: (change: { orderId: string; version: number; answeredAt: number }) => void;
}

export interface DriveResult {
  orderIds: string[];
  /** Transitions made (creations not counted). */
  transitions: number;
}

/** How long one request may keep being retried before the driver gives up on the run. */
const CALL_BOUND_MS = 300_000;

/**
 * One POST, retried with the same Idempotency-Key until it has a final answer. Why it is safe and
 * why it must wait rather than count attempts: a 5xx (a deadline 503 on a loaded machine, a dropped
 * connection) may leave the first request still running; the retry then meets it and is answered
 * 409 IDEMPOTENCY_IN_FLIGHT with Retry-After — that is not a failure but "not decided yet", and on a
 * busy machine it can stay so for several leases. So an in-flight key is retried after Retry-After
 * until the first request resolves (the retry then gets its stored answer replayed), and only an
 * outer bound (a condition that never came, not a slow machine) ends it.
 */
async function call(
  url: string,
  token: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const deadline = Date.now() + CALL_BOUND_MS;
  let last = '';
  for (let attempt = 1; ; attempt++) {
    let retryAfterMs: number;
    try {
      const res = await fetch(`${url}/api/v2${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.api+json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201) {
        return JSON.parse(text) as { data: { id: string; attributes: { version: number } } };
      }
      const inFlight = res.status === 409 && text.includes('IDEMPOTENCY_IN_FLIGHT');
      if (!inFlight && res.status < 500) throw new FinalAnswer(`POST ${path}: ${res.status} ${text}`);
      last = `${res.status} ${text.slice(0, 200)}`;
      const seconds = Number(res.headers.get('retry-after'));
      retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 100 * Math.min(attempt, 10);
      // In flight: come back when the server says the lease can have ended, but look earlier too
      // (the first request usually finishes well before its lease does).
      if (inFlight) retryAfterMs = Math.min(retryAfterMs, 250 * Math.min(attempt, 4));
    } catch (err) {
      if (err instanceof FinalAnswer) throw err;
      // The connection failed (reset under load): the request may or may not have run; the key decides.
      last = String(err);
      retryAfterMs = 100 * Math.min(attempt, 10);
    }
    if (Date.now() + retryAfterMs > deadline) {
      throw new Error(
        `POST ${path}: no final answer within ${CALL_BOUND_MS} ms (${attempt} tries; last: ${last})`,
      );
    }
    await new Promise((r) => setTimeout(r, retryAfterMs));
  }
}

/** A 2xx-or-refusal answer that retrying cannot change. */
class FinalAnswer extends Error {}

/** Create `orders` orders and deliver each (create + 5 transitions), `concurrency` at a time. */
export async function driveOrders(options: DriveOptions): Promise<DriveResult> {
  const { urls, world, orders, concurrency, onChange } = options;
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!;
  const anyUrl = () => urls[Math.floor(Math.random() * urls.length)]!;
  const orderIds: string[] = [];
  let transitions = 0;
  let next = 0;
  const one = async (i: number) => {
    const restaurant = pick(world.restaurants, i);
    const who = { customer: pick(world.customers, i), owner: restaurant.owner, rider: pick(world.riders, i) };
    const created = await call(
      anyUrl(),
      who.customer.token,
      '/orders',
      { restaurantId: restaurant.id, items: [{ menuItemId: restaurant.menuItemId, quantity: 1 }] },
      { 'idempotency-key': randomUUID() },
    );
    const id = created.data.id;
    let version = created.data.attributes.version;
    orderIds.push(id);
    onChange?.({ orderId: id, version, answeredAt: performance.now() });
    for (const [action, role] of DELIVERY) {
      const done = await call(anyUrl(), who[role].token, `/orders/${id}/${action}`, undefined, {
        'idempotency-key': randomUUID(),
        'if-match': `"v${version}"`,
      });
      version = done.data.attributes.version;
      transitions++;
      onChange?.({ orderId: id, version, answeredAt: performance.now() });
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, orders) }, async () => {
      while (next < orders) await one(next++);
    }),
  );
  return { orderIds, transitions };
}
