/**
 * Bad input gets a clear 4xx problem naming the problem, and changes nothing: every case below
 * is checked against a fingerprint of every row an order write could touch.
 */
import { executeRows } from '@quickeats/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFingerprint, demoClients, demoMenu, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

describe('bad input on v2 order routes', () => {
  let t: TestApp;
  let token: string;
  let ownerToken: string;
  let menu: Awaited<ReturnType<typeof demoMenu>>;
  let paid: { id: string; version: number };
  let otherRestaurantItem: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    ownerToken = await t.tokenFor(DEMO_ACCOUNTS.owner);
    menu = await demoMenu(t);
    paid = await orderIn(t, await demoClients(t), 'paid');
    const rows = await executeRows<{ id: string }>(
      t.database.db,
      sql`select id from menu_items where restaurant_id <> ${menu.restaurantId} limit 1`,
    );
    otherRestaurantItem = rows[0]!.id;
  });
  afterAll(() => t?.close());

  const send = (
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string>; as?: string },
  ) =>
    t.app.request(path, {
      method: init.method ?? 'POST',
      body: init.body,
      // A fresh key per request: one key reused with another body would be a 422 (SPEC "Idempotency").
      headers: {
        authorization: `Bearer ${init.as ?? token}`,
        'idempotency-key': `bad-input-${crypto.randomUUID()}`,
        ...init.headers,
      },
    });
  const jsonHeaders = { 'content-type': 'application/json' };
  const validOrder = () => ({
    restaurantId: menu.restaurantId,
    items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }],
  });

  const cases: {
    name: string;
    status: number;
    code: string;
    mentions?: string;
    request: () => Response | Promise<Response>;
  }[] = [
    {
      name: 'malformed order id in an action path',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'id',
      request: () =>
        send('/api/v2/orders/not-a-uuid/accept', { headers: { 'if-match': '"v1"' }, as: ownerToken }),
    },
    {
      // A keyed pay reads its order with its key's lease: a malformed id must not reach that read.
      name: 'malformed order id in a keyed pay path',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'id',
      request: () => send('/api/v2/orders/not-a-uuid/pay', { headers: { 'if-match': '"v1"' } }),
    },
    {
      name: 'malformed order id on GET',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'id',
      request: () => send('/api/v2/orders/42', { method: 'GET' }),
    },
    {
      name: 'unknown field in the create body',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'discount',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({ ...validOrder(), discount: 100 }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'wrong type for a quantity',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'items.0.quantity',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({
            restaurantId: menu.restaurantId,
            items: [{ menuItemId: menu.menuItemIds[0], quantity: 'two' }],
          }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'quantity out of range',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'items.0.quantity',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({
            restaurantId: menu.restaurantId,
            items: [{ menuItemId: menu.menuItemIds[0], quantity: 1000 }],
          }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'empty item list',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'items',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({ restaurantId: menu.restaurantId, items: [] }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'a menu item of another restaurant',
      status: 422,
      code: 'UNPROCESSABLE',
      mentions: 'items.0.menuItemId',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({
            restaurantId: menu.restaurantId,
            items: [{ menuItemId: otherRestaurantItem, quantity: 1 }],
          }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'malformed JSON',
      status: 400,
      code: 'MALFORMED_JSON',
      request: () => send('/api/v2/orders', { body: '{"restaurantId": ', headers: jsonHeaders }),
    },
    {
      name: 'a huge body',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify({ ...validOrder(), note: 'x'.repeat(200_000) }),
          headers: jsonHeaders,
        }),
    },
    {
      name: 'a non-JSON content type',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      request: () =>
        send('/api/v2/orders', {
          body: 'restaurantId=1',
          headers: { ...jsonHeaders, 'content-type': 'application/x-www-form-urlencoded' },
        }),
    },
    {
      name: 'a JSON:API media type with a forbidden parameter',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      request: () =>
        send('/api/v2/orders', {
          body: JSON.stringify(validOrder()),
          headers: { ...jsonHeaders, 'content-type': 'application/vnd.api+json; charset=utf-8' },
        }),
    },
    {
      name: 'an Accept header we cannot satisfy',
      status: 406,
      code: 'NOT_ACCEPTABLE',
      request: () =>
        send(`/api/v2/orders/${paid.id}`, {
          method: 'GET',
          headers: { accept: 'application/vnd.api+json; foo=bar' },
        }),
    },
    {
      name: 'unknown field in an action body',
      status: 400,
      code: 'VALIDATION_FAILED',
      mentions: 'refundTo',
      request: () =>
        send(`/api/v2/orders/${paid.id}/cancel`, {
          body: JSON.stringify({ reason: 'changed my mind', refundTo: 'elsewhere' }),
          headers: { ...jsonHeaders, 'if-match': `"v${paid.version}"` },
        }),
    },
    {
      name: 'an action body that is not an object',
      status: 400,
      code: 'VALIDATION_FAILED',
      request: () =>
        send(`/api/v2/orders/${paid.id}/cancel`, {
          body: '[1,2,3]',
          headers: { ...jsonHeaders, 'if-match': `"v${paid.version}"` },
        }),
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}, nothing written`, async () => {
      const before = await databaseFingerprint(t);
      const res = await c.request();
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as { code: string; detail: string; errors?: { field: string }[] };
      expect(body.code).toBe(c.code);
      if (c.mentions) expect(JSON.stringify(body.errors ?? body.detail)).toContain(c.mentions);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|select |insert /i);
      expect(await databaseFingerprint(t)).toBe(before);
    });
  }
});
