/**
 * Fixtures for the read-side tests: a GET client per seeded role (status, headers, parsed body and
 * the request's SQL statement count) and the database's own answers to compare documents against.
 */
import { executeRows } from '@quickeats/db';
import type { Actor } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { DEMO_ACCOUNTS, type TestApp } from './test-app';

export interface ReadResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected structurally
  body: T & Record<string, any>;
  statements: number;
}

export interface ReadClient {
  actor: Actor;
  token: string;
  get(path: string, headers?: Record<string, string>): Promise<ReadResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<ReadResponse>;
}

export const READ_ACCOUNTS = {
  customer: DEMO_ACCOUNTS.customer,
  customer2: 'customer2@quickeats.test',
  owner: DEMO_ACCOUNTS.owner,
  owner2: 'owner2@quickeats.test',
  rider: DEMO_ACCOUNTS.rider,
  admin: DEMO_ACCOUNTS.admin,
} as const;

export type ReadClients = Record<keyof typeof READ_ACCOUNTS, ReadClient>;

async function parse(res: Response): Promise<ReadResponse> {
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? JSON.parse(text) : {},
    statements: Number(res.headers.get('x-sql-statements') ?? Number.NaN),
  };
}

export async function readClients(t: TestApp): Promise<ReadClients> {
  const entries = await Promise.all(
    Object.entries(READ_ACCOUNTS).map(async ([role, email]) => {
      const actor = await t.actorFor(email);
      const token = await t.tokenFor(email);
      const client: ReadClient = {
        actor,
        token,
        get: async (path, headers = {}) =>
          parse(await t.app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } })),
        post: async (path, body, headers = {}) =>
          parse(
            await t.app.request(path, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
              body: JSON.stringify(body),
            }),
          ),
      };
      return [role, client] as const;
    }),
  );
  return Object.fromEntries(entries) as ReadClients;
}

export interface OrderFacts {
  id: string;
  status: string;
  customer_id: string;
  restaurant_id: string;
  owner_id: string;
  rider_id: string | null;
  created_at: string;
}

/** Every order with what visibility depends on, newest first (the API's order). */
export function allOrders(t: TestApp): Promise<OrderFacts[]> {
  return executeRows<OrderFacts & Record<string, unknown>>(
    t.database.db,
    sql`select o.id, o.status, o.customer_id, o.restaurant_id, r.owner_id, o.rider_id,
               to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
          from orders o join restaurants r on r.id = o.restaurant_id
         order by o.created_at desc, o.id desc`,
  );
}

/** Follow `links.next` from `path` to the end; returns every page's body. */
export async function walkPages(client: ReadClient, path: string, limit = 200): Promise<ReadResponse[]> {
  const pages: ReadResponse[] = [];
  let next: string | null = path;
  while (next) {
    const page = await client.get(next);
    if (page.status !== 200)
      throw new Error(`page ${next} answered ${page.status}: ${JSON.stringify(page.body)}`);
    pages.push(page);
    next = page.body.links.next;
    if (pages.length > limit) throw new Error('links.next never ended');
  }
  return pages;
}
