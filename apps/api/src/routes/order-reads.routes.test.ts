/**
 * GET /api/v2/orders and /orders/{id} on the real PostgreSQL: JSON:API compound documents
 * (full linkage, no duplicates), sparse fieldsets, cursor pages (profile links and errors),
 * filters, visibility (no cross-customer or cross-restaurant leak) and ONE statement per request.
 */
import { executeRows } from '@quickeats/db';
import { canView, ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURSOR_PROFILE } from '../jsonapi/media-type';
import { encodeCursor } from '../reads/cursor';
import {
  allOrders,
  type OrderFacts,
  type ReadClients,
  type ReadResponse,
  readClients,
  walkPages,
} from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

const FULL = `include=${ORDER_INCLUDE_PATHS.join(',')}`;
type Resource = {
  type: string;
  id: string;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { data: unknown }>;
  meta?: { page: { cursor: string } };
};

const key = (r: { type: string; id: string }) => `${r.type}:${r.id}`;
const ids = (res: ReadResponse) => (res.body.data as Resource[]).map((r) => r.id);

describe('GET /api/v2/orders', () => {
  let t: TestApp;
  let c: ReadClients;
  let orders: OrderFacts[];
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 300 } });
    c = await readClients(t);
    orders = await allOrders(t);
  });
  afterAll(() => t?.close());

  it('answers a JSON:API document with the cursor-pagination profile, Vary: Accept and items included by default', async () => {
    const res = await c.customer.get('/api/v2/orders?page[size]=3');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(`application/vnd.api+json; profile="${CURSOR_PROFILE}"`);
    expect(res.headers.get('vary')).toContain('Accept');
    expect(res.body.jsonapi).toEqual({ version: '1.1' });
    expect(res.body.data).toHaveLength(3);
    expect(new Set((res.body.included as Resource[]).map((r) => r.type))).toEqual(new Set(['order-items']));
    expect(res.body.links.self).toBe('/api/v2/orders?page[size]=3');
    expect(res.body.links.next).toMatch(/^\/api\/v2\/orders\?page\[size\]=3&page\[after\]=[A-Za-z0-9_-]+$/);
    // Each item carries its own cursor (profile: meta.page.cursor); the last one is links.next's.
    const last = (res.body.data as Resource[])[2]!;
    expect(res.body.links.next).toContain(`page[after]=${last.meta!.page.cursor}`);
  });

  it('builds a compound document with full linkage: every linked resource included once, nothing unlinked', async () => {
    const res = await c.admin.get(`/api/v2/orders?page[size]=25&${FULL}`);
    expect(res.status).toBe(200);
    const data = res.body.data as Resource[];
    const included = res.body.included as Resource[];
    const includedKeys = included.map(key);
    expect(new Set(includedKeys).size).toBe(includedKeys.length);

    const linked = new Set<string>();
    const link = (rels: Resource['relationships']) => {
      for (const rel of Object.values(rels ?? {})) {
        for (const d of [rel.data].flat()) if (d) linked.add(key(d as Resource));
      }
    };
    for (const r of [...data, ...included]) link(r.relationships);
    expect([...linked].filter((k) => !includedKeys.includes(k))).toEqual([]);
    expect(includedKeys.filter((k) => !linked.has(k))).toEqual([]);
    expect(new Set(included.map((r) => r.type))).toEqual(
      new Set(['restaurants', 'users', 'order-items', 'menu-items', 'payments', 'order-events']),
    );
  });

  it('costs exactly one SQL statement for page sizes 1, 20 and 100 with every include', async () => {
    for (const size of [1, 20, 100]) {
      const res = await c.admin.get(`/api/v2/orders?page[size]=${size}&${FULL}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(size);
      expect(res.statements).toBe(1);
    }
  });

  it('pages through every visible order exactly once, newest first, ending with links.next = null', async () => {
    const pages = await walkPages(c.customer, '/api/v2/orders?page[size]=7&include=');
    const seen = pages.flatMap(ids);
    const expected = orders.filter((o) => o.customer_id === c.customer.actor.userId).map((o) => o.id);
    expect(expected.length).toBeGreaterThan(7);
    expect(seen).toEqual(expected);
    expect(pages.at(-1)!.body.links.next).toBeNull();
    // Filters and fieldsets survive into links.next.
    expect(pages[0]!.body.links.next).toContain('include=&');
  });

  it('keeps rows created in the same millisecond apart: cursors carry microseconds', async () => {
    const source = orders[0]!;
    const at = [
      '2031-01-01 00:00:00.000300+00',
      '2031-01-01 00:00:00.000200+00',
      '2031-01-01 00:00:00.000100+00',
    ];
    const created = [];
    for (const ts of at) {
      const [row] = await executeRows<{ id: string }>(
        t.database.db,
        sql`insert into orders (customer_id, restaurant_id, status, total_amount, currency, created_at)
            values (${source.customer_id}, ${source.restaurant_id}, 'pending', 100, 'USD', ${ts}::timestamptz)
            returning id`,
      );
      created.push(row!.id);
    }
    try {
      const first = await c.admin.get('/api/v2/orders?page[size]=1&include=');
      const second = await c.admin.get(first.body.links.next);
      const third = await c.admin.get(second.body.links.next);
      expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(created);
    } finally {
      await executeRows(t.database.db, sql`delete from orders where id in ${created}`);
    }
  });

  it('400 PAGE_SIZE_TOO_LARGE with meta.page.maxSize above 100; 100 itself is fine', async () => {
    const res = await c.admin.get('/api/v2/orders?page[size]=101');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ code: 'PAGE_SIZE_TOO_LARGE', meta: { page: { maxSize: 100 } } });
    expect(res.body.errors).toEqual([{ field: 'page[size]', message: 'must be at most 100' }]);
    expect((await c.admin.get('/api/v2/orders?page[size]=100&include=')).body.data).toHaveLength(100);
  });

  it('400 VALIDATION_FAILED for a page size that is not a positive integer', async () => {
    for (const size of ['0', '-1', 'ten', '2.5', '']) {
      const res = await c.admin.get(`/api/v2/orders?page[size]=${size}`);
      expect(res.status, size).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('400 UNKNOWN_INCLUDE naming each unknown path', async () => {
    for (const [include, bad] of [
      ['restaurant,menu', 'menu'],
      ['items.restaurant', 'items.restaurant'],
      ['Restaurant', 'Restaurant'],
    ] as const) {
      const res = await c.admin.get(`/api/v2/orders?include=${include}`);
      expect(res.status, include).toBe(400);
      expect(res.body.code).toBe('UNKNOWN_INCLUDE');
      expect(res.body.detail).toContain(`"${bad}"`);
      expect(res.body.errors).toContainEqual({ field: 'include', message: `unknown path "${bad}"` });
    }
  });

  it('400 INVALID_CURSOR for a tampered, foreign or impossible cursor', async () => {
    const real = (await c.admin.get('/api/v2/orders?page[size]=1')).body.links.next as string;
    const cursor = new URL(real, 'http://x').searchParams.get('page[after]')!;
    const bad = [
      'not-base64!',
      `${cursor.slice(0, -2)}xx`,
      encodeCursor('restaurants', ['Seoul Kitchen', orders[0]!.id]),
      Buffer.from(
        JSON.stringify({ k: 'orders', p: ['2026-02-31T00:00:00.000000Z', orders[0]!.id] }),
      ).toString('base64url'),
      Buffer.from(
        JSON.stringify({ k: 'orders', p: ["2026-01-01T00:00:00.000000Z'--", orders[0]!.id] }),
      ).toString('base64url'),
    ];
    for (const after of bad) {
      const res = await c.admin.get(`/api/v2/orders?page[after]=${encodeURIComponent(after)}`);
      expect(res.status, after).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    }
  });

  it('sparse fieldsets: only the requested attributes and relationships, included resources narrowed too', async () => {
    const res = await c.admin.get(
      '/api/v2/orders?page[size]=5&include=restaurant,items&fields[orders]=status,restaurant&fields[restaurants]=name&fields[order-items]=quantity',
    );
    expect(res.status).toBe(200);
    for (const o of res.body.data as Resource[]) {
      expect(Object.keys(o.attributes!)).toEqual(['status']);
      expect(Object.keys(o.relationships!)).toEqual(['restaurant']);
    }
    for (const r of res.body.included as Resource[]) {
      if (r.type === 'restaurants') expect(Object.keys(r.attributes!)).toEqual(['name']);
      if (r.type === 'order-items') {
        expect(Object.keys(r.attributes!)).toEqual(['quantity']);
        expect(r.relationships).toBeUndefined();
      }
    }
    // An empty fieldset leaves only type and id.
    const bare = await c.admin.get('/api/v2/orders?page[size]=2&include=&fields[orders]=');
    expect(bare.body.data[0].attributes).toBeUndefined();
    expect(bare.body.data[0].relationships).toBeUndefined();
  });

  it('400 naming fields[TYPE] for an unknown field, and the parameter for an unknown type', async () => {
    const field = await c.admin.get('/api/v2/orders?fields[orders]=status,password');
    expect(field.status).toBe(400);
    expect(field.body.errors).toEqual([
      { field: 'fields[orders]', message: 'unknown field "password" of orders' },
    ]);
    const type = await c.admin.get('/api/v2/orders?fields[secrets]=all');
    expect(type.status).toBe(400);
    expect(JSON.stringify(type.body.errors)).toContain('fields[secrets]');
  });

  it('refuses unknown and repeated query parameters (400), including page[before], which is not supported', async () => {
    for (const qs of [
      'sort=-createdAt',
      'page[before]=abc',
      'filter[customer]=x',
      'page[size]=1&page[size]=2',
    ]) {
      const res = await c.admin.get(`/api/v2/orders?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('filters by status, restaurant and a half-open created range, matching the database', async () => {
    const restaurant = orders[0]!.restaurant_id;
    const from = orders[120]!.created_at;
    const to = orders[40]!.created_at;
    const res = await c.admin.get(
      `/api/v2/orders?page[size]=100&include=&filter[status]=delivered,cancelled&filter[restaurant]=${restaurant}&filter[createdAfter]=${from}&filter[createdBefore]=${to}`,
    );
    expect(res.status).toBe(200);
    const expected = orders
      .filter(
        (o) =>
          ['delivered', 'cancelled'].includes(o.status) &&
          o.restaurant_id === restaurant &&
          o.created_at >= from &&
          o.created_at < to,
      )
      .map((o) => o.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(ids(res)).toEqual(expected);
  });

  it('400 naming the filter for a bad status, restaurant id or instant', async () => {
    for (const [qs, field] of [
      ['filter[status]=shipped', 'filter[status]'],
      ['filter[restaurant]=42', 'filter[restaurant]'],
      ['filter[createdAfter]=yesterday', 'filter[createdAfter]'],
      ['filter[createdBefore]=2026-01-01', 'filter[createdBefore]'],
    ] as const) {
      const res = await c.admin.get(`/api/v2/orders?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
  });

  it('shows each role exactly what canView allows: no cross-customer, cross-restaurant or rider leak', async () => {
    for (const role of ['customer', 'customer2', 'owner', 'owner2', 'rider', 'admin'] as const) {
      const actor = c[role].actor;
      const seen = (await walkPages(c[role], '/api/v2/orders?page[size]=100&include=')).flatMap(ids);
      const expected = orders
        .filter((o) =>
          canView(
            {
              status: o.status as never,
              customerId: o.customer_id,
              restaurantOwnerId: o.owner_id,
              riderId: o.rider_id,
            },
            actor,
          ),
        )
        .map((o) => o.id);
      expect(seen, role).toEqual(expected);
    }
  });

  it('includes only the related resources of visible orders', async () => {
    const res = await c.customer.get(`/api/v2/orders?page[size]=100&${FULL}`);
    const users = (res.body.included as Resource[]).filter((r) => r.type === 'users');
    const mine = orders.filter((o) => o.customer_id === c.customer.actor.userId);
    const allowed = new Set([c.customer.actor.userId, ...mine.map((o) => o.rider_id).filter(Boolean)]);
    expect(users.length).toBeGreaterThan(1);
    for (const u of users) {
      expect(allowed.has(u.id)).toBe(true);
      // Users are shown by name and role only: never an email or a credential.
      expect(Object.keys(u.attributes!).sort()).toEqual(['name', 'role']);
    }
  });

  it('documents every query parameter in the OpenAPI document', async () => {
    const doc = (await (await t.app.request('/api/v2/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string; in: string }[] } }>;
    };
    const names = doc.paths['/orders']!.get.parameters.filter((p) => p.in === 'query').map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'include',
        'fields[orders]',
        'fields[order-events]',
        'filter[status]',
        'filter[restaurant]',
        'filter[createdAfter]',
        'filter[createdBefore]',
        'page[size]',
        'page[after]',
      ]),
    );
  });

  it('401 without a token, 406 when Accept names JSON:API only with a forbidden parameter', async () => {
    const anonymous = await t.app.request('/api/v2/orders');
    expect(anonymous.status).toBe(401);
    const res = await c.admin.get('/api/v2/orders', { accept: 'application/vnd.api+json; charset=utf-8' });
    expect(res.status).toBe(406);
    expect(res.body.code).toBe('NOT_ACCEPTABLE');
  });
});

describe('GET /api/v2/orders/{id}', () => {
  let t: TestApp;
  let c: ReadClients;
  let orders: OrderFacts[];
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 120 } });
    c = await readClients(t);
    orders = await allOrders(t);
  });
  afterAll(() => t?.close());

  const ownOrder = (customerId: string) => orders.find((o) => o.customer_id === customerId && o.rider_id)!;

  it('returns the order with every include in one statement, ETag = its version', async () => {
    const order = ownOrder(c.customer.actor.userId);
    const res = await c.customer.get(`/api/v2/orders/${order.id}?${FULL}`);
    expect(res.status).toBe(200);
    expect(res.statements).toBe(1);
    const [row] = await executeRows<{ version: number }>(
      t.database.db,
      sql`select version from orders where id = ${order.id}`,
    );
    const version = row!.version;
    expect(res.headers.get('etag')).toBe(`"v${version}"`);
    expect(res.body.data).toMatchObject({ type: 'orders', id: order.id, attributes: { version } });
    expect(res.body.data.relationships.rider.data).toEqual({ type: 'users', id: order.rider_id });
    expect(res.body.links.self).toBe(`/api/v2/orders/${order.id}?${FULL}`);
    const events = (res.body.included as Resource[]).filter((r) => r.type === 'order-events');
    expect(events.map((e) => e.attributes!.version)).toEqual(
      Array.from({ length: version }, (_, i) => i + 1),
    );
  });

  it('answers If-None-Match with 304 and the ETag, also under a sparse fieldset without version', async () => {
    const order = ownOrder(c.customer.actor.userId);
    const first = await c.customer.get(`/api/v2/orders/${order.id}?fields[orders]=status`);
    const etag = first.headers.get('etag')!;
    expect(first.body.data.attributes).toEqual({ status: order.status });
    const again = await c.customer.get(`/api/v2/orders/${order.id}?fields[orders]=status`, {
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await c.customer.get(`/api/v2/orders/${order.id}`, { 'if-none-match': '"v999"' });
    expect(stale.status).toBe(200);
  });

  it('404 for another customer’s or another restaurant’s order, exactly like a missing one', async () => {
    const theirs = ownOrder(c.customer2.actor.userId);
    const other = await c.customer.get(`/api/v2/orders/${theirs.id}`);
    const missing = await c.customer.get('/api/v2/orders/00000000-0000-4000-8000-000000000000');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body.detail).toBe(missing.body.detail);
    const notOwners = orders.find((o) => o.owner_id !== c.owner.actor.userId)!;
    expect((await c.owner.get(`/api/v2/orders/${notOwners.id}`)).status).toBe(404);
    expect((await c.owner2.get(`/api/v2/orders/${notOwners.id}`)).status).toBe(
      notOwners.owner_id === c.owner2.actor.userId ? 200 : 404,
    );
  });

  it('400 for a malformed id or an unknown include, before touching the database', async () => {
    const badId = await c.admin.get('/api/v2/orders/42');
    expect(badId.status).toBe(400);
    expect(badId.statements).toBe(0);
    const badInclude = await c.admin.get(`/api/v2/orders/${orders[0]!.id}?include=owner`);
    expect(badInclude.status).toBe(400);
    expect(badInclude.body.code).toBe('UNKNOWN_INCLUDE');
    expect(badInclude.statements).toBe(0);
  });

  it('renders an order the same way as the write side does (same attributes and items)', async () => {
    const order = orders.find((o) => o.status === 'paid' && o.owner_id === c.owner.actor.userId)!;
    const read = await c.owner.get(`/api/v2/orders/${order.id}`);
    const accepted = await c.owner.post(
      `/api/v2/orders/${order.id}/accept`,
      {},
      { 'if-match': read.headers.get('etag')! },
    );
    expect(accepted.status).toBe(200);
    const after = await c.owner.get(`/api/v2/orders/${order.id}`);
    expect(after.body.data.attributes).toEqual(accepted.body.data.attributes);
    expect(after.body.included).toEqual(accepted.body.included);
    expect(after.body.data.relationships.items).toEqual(accepted.body.data.relationships.items);
  });
});
