/**
 * The provider's HTTP contract, in process through `app.request()` (no port). Faults that need a real
 * socket (dropped connections, held responses) are tested over TCP in http-payment-provider.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createProviderApp } from './app';

type Json = Record<string, unknown>;

function setup() {
  const app = createProviderApp();
  const post = (path: string, body: unknown, key: string | null = 'key-1') =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key === null ? {} : { 'Idempotency-Key': key }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const charge = (
    key: string | null = 'key-1',
    body: unknown = { orderId: 'order-1', amount: { amount: 1250, currency: 'EUR' } },
  ) => post('/v1/charges', body, key);
  const ledger = async () =>
    (await (await app.request('/v1/ledger')).json()) as { charges: Json[]; refunds: Json[] };
  return { app, post, charge, ledger };
}

describe('POST /v1/charges', () => {
  it('Should create a charge for a new key (201) and return the same one for that key again (200)', async () => {
    const { charge, ledger } = setup();
    const first = await charge();
    const again = await charge();

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const created = (await first.json()) as Json;
    expect(await again.json()).toEqual(created);
    expect(created).toMatchObject({
      idempotencyKey: 'key-1',
      orderId: 'order-1',
      amount: { amount: 1250, currency: 'EUR' },
    });
    expect((await ledger()).charges).toEqual([created]);
  });

  it('Should create a new charge for a different key', async () => {
    const { charge, ledger } = setup();
    await charge('key-1');
    expect((await charge('key-2')).status).toBe(201);
    expect((await ledger()).charges.map((c) => c.idempotencyKey)).toEqual(['key-1', 'key-2']);
  });

  it('Should answer 422 for a known key with a different body, and charge nothing more', async () => {
    const { charge, ledger } = setup();
    await charge('key-1');
    const res = await charge('key-1', { orderId: 'order-1', amount: { amount: 9999, currency: 'EUR' } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: 'idempotency_key_reused', message: expect.stringContaining('different parameters') },
    });
    expect((await ledger()).charges).toHaveLength(1);
  });

  it('Should charge once for 50 concurrent requests with one key, even with injected latency', async () => {
    // Jittered latency makes the requests reach the ledger in a shuffled order; the check-and-insert
    // must still be atomic, so exactly one request creates and 49 replay.
    const { app, charge, ledger } = setup();
    await app.request('/v1/faults', {
      method: 'POST',
      body: JSON.stringify({ seed: 5, latency: { ms: 1, jitterMs: 30 } }),
    });
    const responses = await Promise.all(Array.from({ length: 50 }, () => charge('same-key')));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Json[];

    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(49);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect((await ledger()).charges).toHaveLength(1);
  });

  it('Should refuse a request without Idempotency-Key with 400', async () => {
    const { charge, ledger } = setup();
    const res = await charge(null);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'idempotency_key_missing', message: 'Idempotency-Key header is required' },
    });
    expect((await ledger()).charges).toEqual([]);
  });

  it('Should refuse an Idempotency-Key longer than 255 characters with 400', async () => {
    const res = await setup().charge('k'.repeat(256));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error).toEqual({
      code: 'idempotency_key_invalid',
      message: 'Idempotency-Key must be at most 255 characters',
    });
  });

  it('Should name every invalid field in the 400 message', async () => {
    const res = await setup().charge('key-1', {
      orderId: '',
      amount: { amount: 12.5, currency: 'eur' },
      tip: 1,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('orderId:');
    expect(error.message).toContain('amount.amount:');
    expect(error.message).toContain('amount.currency: must be an ISO 4217 code');
    expect(error.message).toContain('"tip"');
  });

  it('Should refuse a zero amount and a body that is not JSON with 400', async () => {
    const { charge } = setup();
    const zero = await charge('key-1', { orderId: 'o', amount: { amount: 0, currency: 'EUR' } });
    expect(zero.status).toBe(400);
    expect(((await zero.json()) as { error: Json }).error.message).toBe(
      'amount.amount: must be at least 1 minor unit',
    );
    const garbage = await charge('key-2', '{not json');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: Json }).error.message).toBe('body must be a JSON document');
  });
});

describe('GET /v1/charges?idempotencyKey=', () => {
  it('Should return the charge for a known key, 404 for an unknown one and 400 without the parameter', async () => {
    const { app, charge } = setup();
    const created = await (await charge('key-1')).json();
    const found = await app.request('/v1/charges?idempotencyKey=key-1');
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(created);
    expect((await app.request('/v1/charges?idempotencyKey=other')).status).toBe(404);
    expect((await app.request('/v1/charges')).status).toBe(400);
  });
});

describe('POST /v1/refunds', () => {
  async function charged() {
    const s = setup();
    const { id } = (await (await s.charge('pay-1')).json()) as { id: string };
    const refund = (key: string, amount: number, chargeId = id) =>
      s.post('/v1/refunds', { chargeId, amount: { amount, currency: 'EUR' } }, key);
    return { ...s, chargeId: id, refund };
  }

  it('Should refund once per key (201, then 200 with the same refund)', async () => {
    const { refund, ledger, chargeId } = await charged();
    const first = await refund('refund-1', 1250);
    const again = await refund('refund-1', 1250);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const books = await ledger();
    expect(books.refunds).toHaveLength(1);
    expect(books.charges[0]).toMatchObject({ id: chargeId, status: 'refunded' });
  });

  it('Should answer 404 for a refund of an unknown charge', async () => {
    const { refund } = await charged();
    const res = await refund('refund-1', 100, 'ch_unknown');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: Json }).error.code).toBe('charge_not_found');
  });

  it('Should answer 422 for a refund of more than was charged, counting earlier refunds', async () => {
    const { refund, ledger } = await charged();
    expect((await refund('refund-1', 1251)).status).toBe(422);
    expect((await refund('refund-2', 1000)).status).toBe(201);
    const res = await refund('refund-3', 251);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: 'refund_exceeds_charge', message: 'refund of 251 exceeds the refundable 250' },
    });
    expect((await ledger()).refunds).toHaveLength(1);
  });

  it('Should answer 422 for a known refund key with a different body', async () => {
    const { refund } = await charged();
    await refund('refund-1', 100);
    const res = await refund('refund-1', 200);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: Json }).error.code).toBe('idempotency_key_reused');
  });
});

describe('Faults over app.request()', () => {
  it('Should answer the injected 5xx before charging and record nothing', async () => {
    const { app, charge, ledger } = setup();
    await app.request('/v1/faults', {
      method: 'POST',
      body: JSON.stringify({ errorBeforeCharge: { times: 1, status: 502 } }),
    });
    const failed = await charge('key-1');
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { error: Json }).error.code).toBe('injected_fault');
    expect((await ledger()).charges).toEqual([]);
    // The fault was used up: the retry with the same key is the first charge.
    expect((await charge('key-1')).status).toBe(201);
  });

  it('Should show, replace and clear the plan', async () => {
    const { app } = setup();
    const set = await app.request('/v1/faults', {
      method: 'POST',
      body: JSON.stringify({ dropAfterCharge: { rate: 0.5, times: 3 } }),
    });
    expect(set.status).toBe(200);
    const shown = await (await app.request('/v1/faults')).json();
    expect(shown).toMatchObject({
      plan: { dropAfterCharge: { rate: 0.5, times: 3 } },
      remaining: { dropAfterCharge: 3 },
    });
    expect((await app.request('/v1/faults', { method: 'DELETE' })).status).toBe(204);
    expect(await (await app.request('/v1/faults')).json()).toMatchObject({ plan: {}, remaining: {} });
  });

  it('Should refuse an invalid plan with 400 and keep the previous one', async () => {
    const { app } = setup();
    await app.request('/v1/faults', { method: 'POST', body: JSON.stringify({ dropAfterCharge: {} }) });
    const res = await app.request('/v1/faults', {
      method: 'POST',
      body: JSON.stringify({ timeoutAfterCharge: { rate: 2 } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error.message).toContain('timeoutAfterCharge.rate:');
    expect(await (await app.request('/v1/faults')).json()).toMatchObject({
      plan: { dropAfterCharge: { rate: 1 } },
    });
  });
});

describe('POST /v1/reset and unknown routes', () => {
  it('Should clear the ledger and the fault plan on reset', async () => {
    const { app, charge, ledger } = setup();
    await charge('key-1');
    await app.request('/v1/faults', { method: 'POST', body: JSON.stringify({ errorBeforeCharge: {} }) });
    expect((await app.request('/v1/reset', { method: 'POST' })).status).toBe(204);
    expect(await ledger()).toEqual({ charges: [], refunds: [] });
    // No fault left: the next charge goes through.
    expect((await charge('key-1')).status).toBe(201);
  });

  it('Should answer 404 with an error body for an unknown route', async () => {
    const res = await setup().app.request('/v2/charges');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /v2/charges' } });
  });
});
