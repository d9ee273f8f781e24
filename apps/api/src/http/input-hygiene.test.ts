/**
 * Hostile bodies on every surface get a 4xx naming the field and change nothing (issue 12): NUL
 * characters PostgreSQL cannot store, unpaired surrogates, JSON nested thousands of levels deep
 * (with an Idempotency-Key, whose fingerprint used to overflow the stack), and an action POST
 * whose JSON content type comes with an empty body ("no reason").
 */
import { MAX_JSON_DEPTH } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DemoClients,
  databaseFingerprint,
  demoClients,
  demoMenu,
  orderIn,
} from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

let t: TestApp;
let c: DemoClients;
let token: string;
let menu: Awaited<ReturnType<typeof demoMenu>>;
let pending: { id: string; version: number };

beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 0 } });
  c = await demoClients(t);
  token = await t.tokenFor(DEMO_ACCOUNTS.customer);
  menu = await demoMenu(t);
  pending = await orderIn(t, c, 'pending');
});
afterAll(() => t?.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  t.app.request(path, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
  });
const key = () => ({ 'idempotency-key': `hygiene-${crypto.randomUUID()}` });
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('REST v2', () => {
  const order = (extra: Record<string, unknown>) =>
    JSON.stringify({
      restaurantId: menu.restaurantId,
      items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }],
      ...extra,
    });

  it.each([
    ['a NUL in the note', { note: 'a\u0000b' }, 'note'],
    ['an unpaired surrogate in the note', { note: 'x\uD800y' }, 'note'],
    ['a NUL in an unknown member name', { 'x\u0000': 1 }, 'x\u0000'],
  ])('%s is a 400 naming the field, nothing written', async (_name, extra, field) => {
    const before = await databaseFingerprint(t);
    const res = await post('/api/v2/orders', order(extra), key());
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('a NUL in a cancel reason is a 400 naming reason', async () => {
    const res = await post(`/api/v2/orders/${pending.id}/cancel`, JSON.stringify({ reason: 'no\u0000' }), {
      'if-match': `"v${pending.version}"`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'reason' }] });
  });

  it('JSON nested 10,000 levels with an Idempotency-Key is a 400 before the fingerprint', async () => {
    for (const path of ['/api/v2/orders', `/api/v2/orders/${pending.id}/cancel`]) {
      const res = await post(path, deep(10_000), { ...key(), 'if-match': `"v${pending.version}"` });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '(body)' }] });
    }
    // At the bound the body is parsed and validated as usual.
    const atBound = await post('/api/v2/orders', deep(MAX_JSON_DEPTH), key());
    expect(atBound.status).toBe(400);
    expect(await atBound.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('an action POST with a JSON content type and an empty body means "no reason"', async () => {
    const mine = await orderIn(t, c, 'pending');
    const res = await post(`/api/v2/orders/${mine.id}/cancel`, '', { 'if-match': `"v${mine.version}"` });
    expect(res.status).toBe(200);
    const whitespace = await orderIn(t, c, 'pending');
    const res2 = await post(`/api/v2/orders/${whitespace.id}/cancel`, ' \n', {
      'if-match': `"v${whitespace.version}"`,
    });
    expect(res2.status).toBe(200);
    // An empty create body is still refused, naming the missing fields.
    const create = await post('/api/v2/orders', '', key());
    expect(create.status).toBe(400);
    expect(JSON.stringify(await create.json())).toContain('restaurantId');
  });
});

describe('tRPC', () => {
  it('a NUL in a cancel reason is BAD_REQUEST naming input.reason', async () => {
    const res = await post(
      '/trpc/orders.cancel',
      JSON.stringify({ orderId: pending.id, expectedVersion: pending.version, reason: 'a\u0000' }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { errorCode: string; errors: unknown } } };
    expect(body.error.data.errorCode).toBe('VALIDATION_FAILED');
    expect(body.error.data.errors).toEqual([{ field: 'input.reason', message: expect.any(String) }]);
  });

  it('a NUL in a create note (with an idempotency key) is BAD_REQUEST, nothing written', async () => {
    const before = await databaseFingerprint(t);
    const res = await post(
      '/trpc/orders.create',
      JSON.stringify({
        restaurantId: menu.restaurantId,
        items: [{ menuItemId: menu.menuItemIds[0], quantity: 1 }],
        note: '\u0000',
        idempotencyKey: crypto.randomUUID(),
      }),
    );
    expect(res.status).toBe(400);
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('a validation error says which fields in a sentence, the field errors staying in data', async () => {
    const res = await post(
      '/trpc/orders.create',
      JSON.stringify({
        restaurantId: 'nope',
        items: [{ menuItemId: menu.menuItemIds[0], quantity: 0 }],
        idempotencyKey: crypto.randomUUID(),
      }),
    );
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { message: string; data: { errorCode: string; errors: { field: string }[] } };
    };
    expect(error.data.errorCode).toBe('VALIDATION_FAILED');
    const fields = error.data.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['input.restaurantId', 'input.items.0.quantity']));
    // Not zod's issue list as JSON: one line starting "Invalid input:" naming every field.
    expect(() => JSON.parse(error.message)).toThrow();
    expect(error.message).toMatch(/^Invalid input: /);
    for (const field of fields) expect(error.message).toContain(`${field}: `);
  });

  it('deeply nested input is refused with 400', async () => {
    const res = await post('/trpc/orders.create', deep(10_000));
    expect(res.status).toBe(400);
  });
});

describe('v1', () => {
  it('a NUL in a note or in an ignored member is a 400 in the legacy shape', async () => {
    for (const body of [{ note: 'a\u0000b' }, { status: 'cancelled', 'extra\u0000': 'x' }]) {
      const res = await t.app.request(`/api/v1/orders/${pending.id}`, {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/NUL/);
    }
  });

  it('JSON nested 10,000 levels is a 400', async () => {
    const res = await t.app.request('/api/v1/orders', {
      method: 'POST',
      body: deep(10_000),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });
});

describe('GraphQL', () => {
  const gql = (query: string, variables?: unknown) => post('/graphql', JSON.stringify({ query, variables }));

  it('a NUL in an argument is VALIDATION_FAILED naming the argument', async () => {
    const res = await gql('query($a: String) { restaurants(after: $a) { nodes { id } } }', { a: 'x\u0000' });
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { errors: { extensions: { code: string; errors: unknown } }[] };
    expect(body.errors[0]!.extensions.code).toBe('VALIDATION_FAILED');
    expect(body.errors[0]!.extensions.errors).toEqual([{ field: 'args.after', message: expect.any(String) }]);
    const literal = await gql(
      '{ orders(filter: { createdAfter: "2026-01-01T00:00:00Z\\u0000" }) { nodes { id } } }',
    );
    expect(
      ((await literal.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('VALIDATION_FAILED');
  });

  it('a forged restaurant cursor carrying a NUL is INVALID_CURSOR, not a database error', async () => {
    const cursor = Buffer.from(
      JSON.stringify({ k: 'restaurants', p: ['a\u0000', crypto.randomUUID()] }),
    ).toString('base64url');
    const res = await t.app.request(`/api/v2/restaurants?page[after]=${cursor}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('a variables document nested 10,000 levels is a 400', async () => {
    const res = await post('/graphql', `{"query":"{ orders { nodes { id } } }","variables":${deep(10_000)}}`);
    expect(res.status).toBe(400);
  });
});
