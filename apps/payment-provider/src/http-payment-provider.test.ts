/**
 * The `PaymentProvider` adapter against the real provider server on a TCP port, faults included.
 * Every scenario ends by reading the provider's ledger: "exactly one charge" is checked where the
 * money is, not inferred from what the client saw.
 */
import type { Money } from '@quickeats/domain';
import { PaymentProviderError } from '@quickeats/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpPaymentProvider, PaymentProviderHttpError } from './http-payment-provider';
import { providerAdmin } from './provider-admin';
import type { RunningProvider } from './server';
import { startProvider } from './server';

const eur = (amount: number): Money => ({ amount, currency: 'EUR' });

let provider: RunningProvider;
let admin: ReturnType<typeof providerAdmin>;
/**
 * The client every test uses for answers that come: generous, so a loaded machine never turns a
 * slow answer into a timeout. Tests of timeouts hold the answer forever (`timeoutAfterCharge`
 * without `holdMs`) and use `impatient`, so their timeout does not depend on machine speed either.
 */
const TIMEOUT_MS = 60_000;
let payments: HttpPaymentProvider;
let impatient: HttpPaymentProvider;

beforeAll(async () => {
  provider = await startProvider({ port: 0 });
  admin = providerAdmin(provider.url);
  payments = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: TIMEOUT_MS });
  impatient = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 500 });
});
afterAll(() => provider.close());
beforeEach(() => admin.reset());

/** Run `promise`, expect it to fail with a PaymentProviderHttpError, and hand the error back. */
async function failure(promise: Promise<unknown>): Promise<PaymentProviderHttpError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PaymentProviderError);
  expect(err).toBeInstanceOf(PaymentProviderHttpError);
  return err as PaymentProviderHttpError;
}

describe('HttpPaymentProvider charges', () => {
  it('Should return the same charge for the same key and keep one charge in the ledger', async () => {
    const req = { idempotencyKey: 'pay:order-1', orderId: 'order-1', amount: eur(1250) };
    const first = await payments.charge(req);
    const again = await payments.charge(req);

    expect(again).toEqual(first);
    expect(first).toMatchObject({ orderId: 'order-1', amount: eur(1250), status: 'succeeded' });
    expect((await admin.ledger()).charges).toEqual([first]);
  });

  it('Should charge once for 50 concurrent calls with one key', async () => {
    // Latency with jitter keeps all 50 requests in flight together and lets them finish out of order.
    await admin.setFaults({ seed: 11, latency: { ms: 5, jitterMs: 40 } });
    const req = { idempotencyKey: 'pay:order-2', orderId: 'order-2', amount: eur(990) };
    const charges = await Promise.all(Array.from({ length: 50 }, () => payments.charge(req)));

    expect(new Set(charges.map((c) => c.id)).size).toBe(1);
    expect((await admin.ledger()).charges).toHaveLength(1);
    expect((await admin.faults()).fired.latency).toBe(50);
  });

  it('Should accept a base URL with a trailing slash and keep serving calls on its pooled connections', async () => {
    const slashed = new HttpPaymentProvider({ baseUrl: `${provider.url}/`, timeoutMs: TIMEOUT_MS });
    const charges = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        slashed.charge({ idempotencyKey: `k-slash-${i}`, orderId: 'order-s', amount: eur(100) }),
      ),
    );
    expect(await slashed.findChargeByKey('k-slash-3')).toEqual(charges[3]);
    await slashed.close();
    expect((await admin.ledger()).charges).toHaveLength(5);
  });

  it('Should create a new charge for a different key', async () => {
    const a = await payments.charge({ idempotencyKey: 'k-a', orderId: 'order-3', amount: eur(100) });
    const b = await payments.charge({ idempotencyKey: 'k-b', orderId: 'order-3', amount: eur(100) });
    expect(b.id).not.toBe(a.id);
    expect((await admin.ledger()).charges.map((c) => c.id)).toEqual([a.id, b.id]);
  });

  it('Should find a charge by its key, and null for an unknown key', async () => {
    const charge = await payments.charge({ idempotencyKey: 'k-find', orderId: 'order-4', amount: eur(100) });
    expect(await payments.findChargeByKey('k-find')).toEqual(charge);
    expect(await payments.findChargeByKey('k-never-used')).toBeNull();
  });

  it('Should report a reused key with other parameters as a known failure (422)', async () => {
    await payments.charge({ idempotencyKey: 'k-reuse', orderId: 'order-5', amount: eur(100) });
    const err = await failure(
      payments.charge({ idempotencyKey: 'k-reuse', orderId: 'order-5', amount: eur(200) }),
    );
    expect(err).toMatchObject({ outcomeUnknown: false, status: 422, code: 'idempotency_key_reused' });
    expect((await admin.ledger()).charges).toHaveLength(1);
  });

  it('Should report invalid input as a known failure (400) naming the field', async () => {
    const err = await failure(
      payments.charge({ idempotencyKey: 'k-zero', orderId: 'order-6', amount: eur(0) }),
    );
    expect(err).toMatchObject({ outcomeUnknown: false, status: 400, code: 'validation_failed' });
    expect(err.message).toContain('amount.amount: must be at least 1 minor unit');
  });
});

describe('HttpPaymentProvider under faults', () => {
  it('timeoutAfterCharge: the client times out with outcome unknown, the ledger has the charge, the retry returns it', async () => {
    await admin.setFaults({ timeoutAfterCharge: { times: 1 } }); // held until the client gives up
    const req = { idempotencyKey: 'pay:slow', orderId: 'order-7', amount: eur(1250) };

    const err = await failure(impatient.charge(req));
    expect(err).toMatchObject({ outcomeUnknown: true, status: null, code: 'timeout' });
    const [recorded] = (await admin.ledger()).charges;
    expect(recorded).toMatchObject({ idempotencyKey: 'pay:slow', orderId: 'order-7' });

    // The retry with the same key is answered from the provider's record: no second charge.
    expect(await payments.charge(req)).toEqual(recorded);
    expect((await admin.ledger()).charges).toHaveLength(1);
  });

  it('timeoutAfterCharge with holdMs: the answer arrives late but within a patient client timeout', async () => {
    await admin.setFaults({ timeoutAfterCharge: { times: 1, holdMs: 50 } });
    const patient = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 10_000 });
    const charge = await patient.charge({ idempotencyKey: 'pay:late', orderId: 'order-8', amount: eur(100) });
    expect((await admin.ledger()).charges).toEqual([charge]);
    expect((await admin.faults()).fired.timeoutAfterCharge).toBe(1);
  });

  it('errorBeforeCharge: a 5xx is outcome unknown to the client, the ledger is empty, the retry charges once', async () => {
    await admin.setFaults({ errorBeforeCharge: { times: 1 } });
    const req = { idempotencyKey: 'pay:5xx', orderId: 'order-9', amount: eur(100) };

    // The client cannot tell this 503 from one sent after charging (see http-payment-provider.ts).
    const err = await failure(payments.charge(req));
    expect(err).toMatchObject({ outcomeUnknown: true, status: 503, code: 'injected_fault' });
    expect((await admin.ledger()).charges).toEqual([]);

    const charge = await payments.charge(req);
    expect((await admin.ledger()).charges).toEqual([charge]);
  });

  it('dropBeforeCharge: the connection dies, nothing is recorded, the retry charges once', async () => {
    await admin.setFaults({ dropBeforeCharge: { times: 1 } });
    const req = { idempotencyKey: 'pay:drop-before', orderId: 'order-10', amount: eur(100) };

    const err = await failure(payments.charge(req));
    expect(err).toMatchObject({ outcomeUnknown: true, status: null, code: 'network' });
    expect((await admin.ledger()).charges).toEqual([]);

    const charge = await payments.charge(req);
    expect((await admin.ledger()).charges).toEqual([charge]);
  });

  it('dropAfterCharge: the connection dies after charging, the retry returns that charge', async () => {
    await admin.setFaults({ dropAfterCharge: { times: 1 } });
    const req = { idempotencyKey: 'pay:drop-after', orderId: 'order-11', amount: eur(100) };

    const err = await failure(payments.charge(req));
    expect(err).toMatchObject({ outcomeUnknown: true, status: null, code: 'network' });
    const [recorded] = (await admin.ledger()).charges;
    expect(recorded?.idempotencyKey).toBe('pay:drop-after');

    expect(await payments.charge(req)).toEqual(recorded);
    expect((await admin.ledger()).charges).toHaveLength(1);
  });

  it('latency: a delay within the client timeout only delays; beyond it the charge still happens', async () => {
    await admin.setFaults({ latency: { ms: 20, times: 1 } });
    const charge = await payments.charge({
      idempotencyKey: 'pay:lat-1',
      orderId: 'order-12',
      amount: eur(100),
    });
    expect((await admin.faults()).fired.latency).toBe(1);

    // The provider keeps working after the client gave up: a timeout never means "not charged".
    await admin.setFaults({ latency: { ms: 300, times: 1 } });
    const hasty = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 50 });
    const err = await failure(
      hasty.charge({ idempotencyKey: 'pay:lat-2', orderId: 'order-12', amount: eur(100) }),
    );
    expect(err).toMatchObject({ outcomeUnknown: true, code: 'timeout' });
    await expect.poll(async () => (await admin.ledger()).charges.length, { timeout: 60_000 }).toBe(2);
    expect((await admin.ledger()).charges[0]).toEqual(charge);
  });

  it('Should end with exactly one charge per order when every call is retried with its key under random faults', async () => {
    // The spec's promise in one loop: whatever fails, retrying with the same key converges on one charge.
    await admin.setFaults({
      seed: 42,
      errorBeforeCharge: { rate: 0.2 },
      dropBeforeCharge: { rate: 0.15 },
      dropAfterCharge: { rate: 0.15 },
      timeoutAfterCharge: { rate: 0.15 },
    });
    // Held answers cost the client its timeout; a slow ordinary answer that times out is just one more
    // "outcome unknown" retried with its key, which is exactly what the loop proves harmless.
    const hasty = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 200 });
    const orders = Array.from({ length: 20 }, (_, i) => `order-r${i}`);
    const results = [];
    for (const orderId of orders) {
      for (let attempt = 1; ; attempt++) {
        try {
          results.push(await hasty.charge({ idempotencyKey: `pay:${orderId}`, orderId, amount: eur(500) }));
          break;
        } catch (err) {
          // Only "outcome unknown" may be retried with the same key; anything else is a bug here.
          if (!(err instanceof PaymentProviderError && err.outcomeUnknown) || attempt === 500) throw err;
        }
      }
    }

    const { charges } = await admin.ledger();
    expect(charges).toHaveLength(20);
    expect(charges.map((c) => c.orderId).sort()).toEqual([...orders].sort());
    expect(new Set(results.map((c) => c.id))).toEqual(new Set(charges.map((c) => c.id)));
    const { fired } = await admin.faults();
    // The loop really met faults of each kind; otherwise it proved nothing.
    expect(fired.errorBeforeCharge).toBeGreaterThan(0);
    expect(fired.dropBeforeCharge).toBeGreaterThan(0);
    expect(fired.dropAfterCharge).toBeGreaterThan(0);
    expect(fired.timeoutAfterCharge).toBeGreaterThan(0);
  });
});

describe('HttpPaymentProvider refunds', () => {
  async function charged(amount = 1000) {
    return payments.charge({ idempotencyKey: `pay:${amount}`, orderId: 'order-r', amount: eur(amount) });
  }

  it('Should refund once per key', async () => {
    const charge = await charged();
    const req = { idempotencyKey: 'refund:1', chargeId: charge.id, amount: eur(1000) };
    const first = await payments.refund(req);
    const again = await payments.refund(req);

    expect(again).toEqual(first);
    const ledger = await admin.ledger();
    expect(ledger.refunds).toEqual([first]);
    expect(ledger.charges[0]?.status).toBe('refunded');
  });

  it('Should report a refund beyond the charge (422) and of an unknown charge (404) as known failures', async () => {
    const charge = await charged(1000);
    const tooMuch = await failure(
      payments.refund({ idempotencyKey: 'refund:2', chargeId: charge.id, amount: eur(1001) }),
    );
    expect(tooMuch).toMatchObject({ outcomeUnknown: false, status: 422, code: 'refund_exceeds_charge' });
    const unknown = await failure(
      payments.refund({ idempotencyKey: 'refund:3', chargeId: 'ch_nope', amount: eur(1) }),
    );
    expect(unknown).toMatchObject({ outcomeUnknown: false, status: 404, code: 'charge_not_found' });
    expect((await admin.ledger()).refunds).toEqual([]);
  });

  it('Should fault only refunds when the plan says so, and the retried refund is recorded once', async () => {
    await admin.setFaults({ dropAfterCharge: { times: 1, on: ['refund'] } });
    // The charge is not eligible, so it goes through and leaves the fault for the refund.
    const charge = await charged(1000);
    const req = { idempotencyKey: 'refund:4', chargeId: charge.id, amount: eur(400) };

    const err = await failure(payments.refund(req));
    expect(err.outcomeUnknown).toBe(true);
    const [recorded] = (await admin.ledger()).refunds;
    expect(recorded?.idempotencyKey).toBe('refund:4');

    expect(await payments.refund(req)).toEqual(recorded);
    expect((await admin.ledger()).refunds).toHaveLength(1);
  });
});

describe('HttpPaymentProvider without a provider', () => {
  it('Should report a refused connection as a known failure: nothing can have been sent', async () => {
    const gone = await startProvider({ port: 0 });
    await gone.close();
    const client = new HttpPaymentProvider({ baseUrl: gone.url, timeoutMs: TIMEOUT_MS });
    const err = await failure(client.charge({ idempotencyKey: 'k', orderId: 'o', amount: eur(1) }));
    expect(err).toMatchObject({ outcomeUnknown: false, status: null, code: 'connection_refused' });
  });

  it('Should cut a held response on close, so the client fails with outcome unknown instead of hanging', async () => {
    const own = await startProvider({ port: 0 });
    const ownAdmin = providerAdmin(own.url);
    await ownAdmin.setFaults({ timeoutAfterCharge: {} });
    const patient = new HttpPaymentProvider({ baseUrl: own.url, timeoutMs: 30_000 });
    const pending = failure(patient.charge({ idempotencyKey: 'k', orderId: 'o', amount: eur(1) }));

    // Close only once the charge is recorded, i.e. while its response is being held.
    await expect.poll(async () => (await ownAdmin.ledger()).charges.length).toBe(1);
    await own.close();
    expect(await pending).toMatchObject({ outcomeUnknown: true, code: 'network' });
  });
});
