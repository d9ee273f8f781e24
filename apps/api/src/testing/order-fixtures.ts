/** Small factories for order tests: the demo owner's menu, and requests the way a client sends them. */
import { randomUUID } from 'node:crypto';
import { type Database, DEMO_ACCOUNTS, menuItems, restaurants, users } from '@quickeats/db';
import { and, asc, eq } from 'drizzle-orm';

/** A dish of the demo owner's restaurant, so that the demo owner can accept the orders made with it. */
export async function demoDish(db: Database): Promise<{ restaurantId: string; menuItemId: string }> {
  const [dish] = await db
    .select({ restaurantId: restaurants.id, menuItemId: menuItems.id })
    .from(restaurants)
    .innerJoin(users, eq(users.id, restaurants.ownerId))
    .innerJoin(menuItems, eq(menuItems.restaurantId, restaurants.id))
    .where(and(eq(users.email, DEMO_ACCOUNTS.owner), eq(menuItems.available, true)))
    .orderBy(asc(restaurants.name), asc(menuItems.name))
    .limit(1);
  if (!dish) throw new Error('no dish of the demo owner: seed the database first');
  return dish;
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
