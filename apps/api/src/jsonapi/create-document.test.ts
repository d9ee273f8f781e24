/**
 * `POST /api/v2/orders` speaks JSON:API 1.1 when the body says it does: a resource document as
 * `application/vnd.api+json` creates the order (restaurant as a relationship, the lines as an
 * attribute), the refusals are the ones the specification prescribes (409 wrong type, 403
 * client-generated id, 404 missing related resource, 415/406 for unsupported extensions), the flat
 * body keeps working as `application/json`, and nothing refused writes anything.
 */
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFingerprint, demoMenu } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

const JSONAPI = 'application/vnd.api+json';

describe('POST /api/v2/orders with a JSON:API resource document', () => {
  let t: TestApp;
  let token: string;
  let menu: Awaited<ReturnType<typeof demoMenu>>;
  let otherRestaurantItem: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    menu = await demoMenu(t);
    const rows = await executeRows<{ id: string }>(
      t.database.db,
      sql`select id from menu_items where restaurant_id <> ${menu.restaurantId} limit 1`,
    );
    otherRestaurantItem = rows[0]!.id;
  });
  afterAll(() => t?.close());

  const post = (body: unknown, contentType = JSONAPI, headers: Record<string, string> = {}) =>
    t.app.request('/api/v2/orders', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': crypto.randomUUID(),
        'content-type': contentType,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const document = (overrides: { data?: Record<string, unknown> } = {}) => ({
    data: {
      type: 'orders',
      attributes: {
        lines: [
          { menuItemId: menu.menuItemIds[0], quantity: 2 },
          { menuItemId: menu.menuItemIds[1], quantity: 1 },
        ],
        note: 'ring twice',
      },
      relationships: { restaurant: { data: { type: 'restaurants', id: menu.restaurantId } } },
      ...overrides.data,
    },
  });

  it('creates the order and answers 201 with its resource document, ETag and Location', async () => {
    const res = await post(document());
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.api\+json/);
    expect(res.headers.get('etag')).toBe('"v1"');
    const body = await res.json();
    expect(res.headers.get('location')).toBe(`/api/v2/orders/${body.data.id}`);
    expect(body.data).toMatchObject({
      type: 'orders',
      attributes: { status: 'pending', version: 1, note: 'ring twice' },
      relationships: { restaurant: { data: { type: 'restaurants', id: menu.restaurantId } } },
    });
    const rows = await executeRows<{ menu_item_id: string; quantity: number; restaurant_id: string }>(
      t.database.db,
      sql`select i.menu_item_id, i.quantity, o.restaurant_id from order_items i join orders o on o.id = i.order_id
           where o.id = ${body.data.id} order by i.quantity desc`,
    );
    expect(rows).toEqual([
      { menu_item_id: menu.menuItemIds[0], quantity: 2, restaurant_id: menu.restaurantId },
      { menu_item_id: menu.menuItemIds[1], quantity: 1, restaurant_id: menu.restaurantId },
    ]);
    const included = body.included.filter((r: { type: string }) => r.type === 'order-items');
    expect(included.map((r: { attributes: { quantity: number } }) => r.attributes.quantity).sort()).toEqual([
      1, 2,
    ]);
  });

  it('accepts lid, top-level meta/jsonapi and profile parameters (profiles may be ignored)', async () => {
    const doc = { ...document({ data: { lid: 'new-order' } }), jsonapi: { version: '1.1' }, meta: { x: 1 } };
    const res = await post(doc, `${JSONAPI}; profile="https://example.com/profiles/unknown"`, {
      accept: `${JSONAPI}; profile="https://example.com/profiles/unknown"`,
    });
    expect(res.status).toBe(201);
  });

  it('keeps the flat body as application/json', async () => {
    const res = await post(
      { restaurantId: menu.restaurantId, items: [{ menuItemId: menu.menuItemIds[0], quantity: 3 }] },
      'application/json',
    );
    expect(res.status).toBe(201);
    expect((await res.json()).data.attributes.status).toBe('pending');
  });

  const refusals: {
    name: string;
    request: () => Response | Promise<Response>;
    status: number;
    code: string;
    field?: string;
  }[] = [
    {
      name: 'a type other than orders → 409',
      request: () => post(document({ data: { type: 'restaurants' } })),
      status: 409,
      code: 'RESOURCE_TYPE_CONFLICT',
      field: 'data.type',
    },
    {
      name: 'a client-generated id → 403',
      request: () => post(document({ data: { id: crypto.randomUUID() } })),
      status: 403,
      code: 'CLIENT_ID_UNSUPPORTED',
      field: 'data.id',
    },
    {
      name: 'a restaurant that does not exist → 404',
      request: () =>
        post(
          document({
            data: {
              ...document().data,
              relationships: { restaurant: { data: { type: 'restaurants', id: crypto.randomUUID() } } },
            },
          }),
        ),
      status: 404,
      code: 'NOT_FOUND',
      field: 'data.relationships.restaurant',
    },
    {
      name: 'a menu item of another restaurant → 422 naming the line',
      request: () =>
        post(
          document({
            data: {
              ...document().data,
              attributes: { lines: [{ menuItemId: otherRestaurantItem, quantity: 1 }] },
            },
          }),
        ),
      status: 422,
      code: 'UNPROCESSABLE',
      field: 'data.attributes.lines.0.menuItemId',
    },
    {
      name: 'a restaurant linkage of the wrong type → 400',
      request: () =>
        post(
          document({
            data: {
              ...document().data,
              relationships: { restaurant: { data: { type: 'users', id: menu.restaurantId } } },
            },
          }),
        ),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'data.relationships.restaurant.data.type',
    },
    {
      name: 'the lines under the name of the items relationship → 400 naming it',
      request: () =>
        post(
          document({
            data: {
              ...document().data,
              attributes: { items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }] },
            },
          }),
        ),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'data.attributes.items',
    },
    {
      name: 'a quantity out of range → 400 naming the member',
      request: () =>
        post(
          document({
            data: {
              ...document().data,
              attributes: { lines: [{ menuItemId: menu.menuItemIds[0], quantity: 0 }] },
            },
          }),
        ),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'data.attributes.lines.0.quantity',
    },
    {
      name: 'the flat body sent as application/vnd.api+json → 400 (it is not a document)',
      request: () =>
        post({ restaurantId: menu.restaurantId, items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'data',
    },
    {
      name: 'a document sent as application/json → 400',
      request: () => post(document(), 'application/json'),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'data',
    },
    {
      name: 'included in a request document (no extension allows it) → 400',
      request: () => post({ ...document(), included: [] }),
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'included',
    },
    {
      name: 'an unsupported extension in Content-Type → 415',
      request: () => post(document(), `${JSONAPI}; ext="https://jsonapi.org/ext/atomic"`),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'Accept whose only JSON:API instance names an unsupported extension → 406',
      request: () =>
        post(document(), JSONAPI, { accept: `${JSONAPI}; ext="https://jsonapi.org/ext/atomic"` }),
      status: 406,
      code: 'NOT_ACCEPTABLE',
    },
    {
      name: 'Accept with the JSON:API type only under an extension, even next to */* → 406',
      request: () =>
        post(document(), JSONAPI, { accept: `${JSONAPI}; ext="https://example.com/ext/x", */*` }),
      status: 406,
      code: 'NOT_ACCEPTABLE',
    },
  ];

  it.each(refusals)('$name, writing nothing', async ({ request, status, code, field }) => {
    const before = await databaseFingerprint(t);
    const res = await request();
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.code).toBe(code);
    if (field) expect(body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('serves an Accept with one acceptable JSON:API instance among unsupported ones', async () => {
    const res = await post(document(), JSONAPI, {
      accept: `${JSONAPI}; ext="https://jsonapi.org/ext/atomic", ${JSONAPI}`,
    });
    expect(res.status).toBe(201);
  });
});
