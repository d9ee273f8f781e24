/**
 * Optimistic concurrency as SPEC.md fixes it (RFC 9110 §13): If-Match required on actions (428),
 * stale → 412 with the current version and ETag, If-None-Match → 304; and the same on tRPC
 * (`expectedVersion`: missing → PRECONDITION_REQUIRED, stale → PRECONDITION_FAILED).
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoClients, databaseFingerprint, demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { createCaller } from '../trpc/root';
import { createContextInner } from '../trpc/trpc';

describe('REST conditional requests', () => {
  let t: TestApp;
  let c: DemoClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    c = await demoClients(t);
  });
  afterAll(() => t?.close());

  it('428 when If-Match is missing, and nothing changes', async () => {
    const order = await orderIn(t, c, 'paid');
    const before = await databaseFingerprint(t);
    const res = await c.owner.act(order.id, 'accept', null);
    expect(res.status).toBe(428);
    expect(res.body.code).toBe('PRECONDITION_REQUIRED');
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('412 with the current version and ETag when If-Match is stale, and nothing changes', async () => {
    const order = await orderIn(t, c, 'paid');
    const before = await databaseFingerprint(t);
    const res = await c.owner.act(order.id, 'accept', order.version - 1);
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ code: 'PRECONDITION_FAILED', currentVersion: order.version });
    expect(res.headers.get('etag')).toBe(`"v${order.version}"`);
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('412 for weak ETags: If-Match uses the strong comparison, and the detail says so', async () => {
    const order = await orderIn(t, c, 'paid');
    const res = await c.owner.act(order.id, 'accept', null, { 'if-match': `W/"v${order.version}"` });
    expect(res.status).toBe(412);
    expect(res.body.detail).toContain('weak');
    expect(res.body.detail).toContain(`"v${order.version}"`);
    expect(res.body.detail).not.toMatch(/-1|not 0/);
  });

  it('412, not 400, for a valid entity tag this API never issued (RFC 9110 §13.1.1)', async () => {
    const order = await orderIn(t, c, 'paid');
    const before = await databaseFingerprint(t);
    const res = await c.owner.act(order.id, 'accept', null, { 'if-match': '"999999"' });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ code: 'PRECONDITION_FAILED', currentVersion: order.version });
    expect(await databaseFingerprint(t)).toBe(before);
  });

  it('200 for a list holding a foreign tag and the current one', async () => {
    const order = await orderIn(t, c, 'paid');
    const res = await c.owner.act(order.id, 'accept', null, { 'if-match': `"abc", "v${order.version}"` });
    expect(res.status).toBe(200);
  });

  it('400 naming the header when If-Match is malformed', async () => {
    const order = await orderIn(t, c, 'paid');
    const res = await c.owner.act(order.id, 'accept', null, { 'if-match': 'v2' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toContain('If-Match');
  });

  it('accepts If-Match: * and a list containing the current ETag', async () => {
    const a = await orderIn(t, c, 'paid');
    expect((await c.owner.act(a.id, 'accept', null, { 'if-match': '*' })).status).toBe(200);
    const b = await orderIn(t, c, 'paid');
    expect((await c.owner.act(b.id, 'accept', null, { 'if-match': `"v1", "v${b.version}"` })).status).toBe(
      200,
    );
  });

  it('GET returns a strong ETag and answers If-None-Match with 304', async () => {
    const order = await orderIn(t, c, 'accepted');
    const res = await c.customer.get(`/api/v2/orders/${order.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"v${order.version}"`);
    const cached = await c.customer.get(`/api/v2/orders/${order.id}`, {
      'if-none-match': `"v${order.version}"`,
    });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(`"v${order.version}"`);
    const stale = await c.customer.get(`/api/v2/orders/${order.id}`, {
      'if-none-match': `"v${order.version - 1}"`,
    });
    expect(stale.status).toBe(200);
  });

  it('If-None-Match with any valid tag list: a foreign tag beside the current one still hits', async () => {
    const order = await orderIn(t, c, 'accepted');
    const cached = await c.customer.get(`/api/v2/orders/${order.id}`, {
      'if-none-match': `"abc", W/"v${order.version}"`,
    });
    expect(cached.status).toBe(304);
  });

  // Decision: the ETag names the order version (what If-Match needs, the same for every role), so
  // the role-dependent body (allowedActions) is kept out of shared caches instead of varying the tag.
  it('marks role-dependent answers private: same ETag for customer and owner, never a shared 304', async () => {
    const order = await orderIn(t, c, 'paid');
    const asCustomer = await c.customer.get(`/api/v2/orders/${order.id}`);
    const asOwner = await c.owner.get(`/api/v2/orders/${order.id}`);
    expect(asCustomer.body.data?.attributes.allowedActions).not.toEqual(
      asOwner.body.data?.attributes.allowedActions,
    );
    expect(asCustomer.headers.get('etag')).toBe(asOwner.headers.get('etag'));
    for (const res of [asCustomer, asOwner]) {
      expect(res.headers.get('cache-control')).toMatch(/\bprivate\b/);
      expect(res.headers.get('vary')).toMatch(/\bAuthorization\b/);
    }
    const list = await c.owner.get('/api/v2/orders');
    expect(list.headers.get('cache-control')).toMatch(/\bprivate\b/);
  });

  it('405 with Allow for a method the resource does not support; 404 for a path that names nothing', async () => {
    const order = await orderIn(t, c, 'paid');
    const headers = { authorization: `Bearer ${await t.tokenFor(DEMO_ACCOUNTS.owner)}` };
    const del = await t.app.request(`/api/v2/orders/${order.id}`, { method: 'DELETE', headers });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    expect(((await del.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
    const put = await t.app.request('/api/v2/orders', { method: 'PUT', headers });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    const getAction = await t.app.request(`/api/v2/orders/${order.id}/pay`, { headers });
    expect(getAction.status).toBe(405);
    expect(getAction.headers.get('allow')).toBe('POST');
    expect((await t.app.request('/api/v2/nothing-here', { method: 'DELETE' })).status).toBe(404);
  });

  it('costs one SQL statement per transition when If-Match names the version: the conditional write, its event and the answer', async () => {
    const order = await orderIn(t, c, 'paid');
    // No Idempotency-Key (optional on accept): the transition's own cost.
    const res = await c.owner.post(`/api/v2/orders/${order.id}/accept`, undefined, {
      'if-match': `"v${order.version}"`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sql-statements')).toBe('1');
  });

  it('costs no statement more with an Idempotency-Key: the transition statement claims the key and stores the answer with the change', async () => {
    const order = await orderIn(t, c, 'paid');
    const res = await c.owner.act(order.id, 'accept', order.version, {
      'idempotency-key': crypto.randomUUID(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sql-statements')).toBe('1');
  });
});

describe('tRPC conditional procedures', () => {
  let t: TestApp;
  let c: DemoClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    c = await demoClients(t);
  });
  afterAll(() => t?.close());

  const callerFor = async (email: string) =>
    createCaller(
      createContextInner({
        deps: t.deps,
        actor: await t.actorFor(email),
        requestId: 'test',
        log: t.deps.logger,
      }),
    );

  async function trpcError(p: Promise<unknown>) {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCError);
    return err as TRPCError & { cause: { code: string; extras: { currentVersion?: number } } };
  }

  it('PRECONDITION_REQUIRED without expectedVersion (a compile error for typed callers)', async () => {
    const order = await orderIn(t, c, 'paid');
    const caller = await callerFor(DEMO_ACCOUNTS.owner);
    // @ts-expect-error expectedVersion is required in the input type; untyped callers still get 428's code
    const err = await trpcError(caller.orders.accept({ orderId: order.id }));
    expect(err.code).toBe('PRECONDITION_REQUIRED');
  });

  it('PRECONDITION_FAILED with the current version when expectedVersion is stale', async () => {
    const order = await orderIn(t, c, 'paid');
    const err = await trpcError(
      (await callerFor(DEMO_ACCOUNTS.owner)).orders.accept({ orderId: order.id, expectedVersion: 1 }),
    );
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.cause.extras.currentVersion).toBe(order.version);
  });

  it('over HTTP: status 412 and error data with the same stable code as REST', async () => {
    const order = await orderIn(t, c, 'paid');
    const res = await t.app.request('/trpc/orders.accept', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await t.tokenFor(DEMO_ACCOUNTS.owner)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ orderId: order.id, expectedVersion: order.version + 5 }),
    });
    expect(res.status).toBe(412);
    const body = (await res.json()) as { error: { data: Record<string, unknown> } };
    expect(body.error.data).toMatchObject({
      code: 'PRECONDITION_FAILED',
      errorCode: 'PRECONDITION_FAILED',
      currentVersion: order.version,
    });
    expect(body.error.data.stack).toBeUndefined();
  });

  it('over HTTP: 409 with errorCode INVALID_TRANSITION and allowedActions', async () => {
    const order = await orderIn(t, c, 'delivered');
    const res = await t.app.request('/trpc/orders.cancel', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await t.tokenFor(DEMO_ACCOUNTS.customer)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ orderId: order.id, expectedVersion: order.version }),
    });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { data: Record<string, unknown> } };
    expect(body.error.data).toMatchObject({
      code: 'CONFLICT',
      errorCode: 'INVALID_TRANSITION',
      allowedActions: [],
    });
  });

  it('succeeds with the current version and returns the new one', async () => {
    const order = await orderIn(t, c, 'paid');
    const result = await (await callerFor(DEMO_ACCOUNTS.owner)).orders.accept({
      orderId: order.id,
      expectedVersion: order.version,
    });
    expect(result).toMatchObject({ status: 'accepted', version: order.version + 1 });
  });

  it('401 without a token', async () => {
    const res = await t.app.request(
      `/trpc/orders.get?input=${encodeURIComponent(JSON.stringify({ orderId: crypto.randomUUID() }))}`,
    );
    expect(res.status).toBe(401);
  });
});
