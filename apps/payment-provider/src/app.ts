/**
 * The fake payment provider's HTTP API (SPEC "Payment provider"): charges and refunds honour a
 * provider-side `Idempotency-Key` the way Stripe does, faults are injected on demand, and the ledger
 * is readable so tests check "exactly one charge" at the provider instead of inferring it.
 *
 *   POST   /v1/charges                  { orderId, amount }  201 new · 200 same key · 422 key reused
 *   POST   /v1/refunds                  { chargeId, amount } 201 · 200 · 404 unknown charge · 422
 *   GET    /v1/charges?idempotencyKey=  200 charge · 404
 *   GET    /v1/ledger                   { charges, refunds }
 *   GET    /v1/faults · POST /v1/faults (plan) · DELETE /v1/faults
 *   POST   /v1/reset                    clears the ledger and the fault plan
 */
import { setMaxListeners } from 'node:events';
import type { HttpBindings } from '@hono/node-server';
import { parseIdempotencyKey } from '@quickeats/domain';
import { serverSpan } from '@quickeats/telemetry';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { FaultDecision, FaultTarget } from './faults';
import { FaultInjector, FaultPlanSchema } from './faults';
import { Ledger } from './ledger';
import type { ProviderErrorCode } from './wire';
import { ChargeRequestSchema, describeIssues, RefundRequestSchema } from './wire';

export interface ProviderAppOptions {
  ledger?: Ledger;
  faults?: FaultInjector;
  /**
   * Aborted when the server shuts down: injected latency and held responses end early, so closing
   * the server never waits for them. Client disconnects do not end latency — a real provider keeps
   * processing a request whose caller gave up, which is exactly why a timeout leaves the outcome unknown.
   */
  shutdown?: AbortSignal;
}

/** On a real server `c.env` holds the node request; under `app.request()` it is absent. */
type Env = { Bindings: Partial<HttpBindings> };

class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProviderErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Build the provider app with its own in-memory state. Serve it with `startProvider`, or call it
 * directly with `app.request()` (the connection-dropping faults need a real socket, though).
 *
 * @example
 * const app = createProviderApp();
 * const res = await app.request('/v1/charges', {
 *   method: 'POST',
 *   headers: { 'Idempotency-Key': 'order-1-pay', 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ orderId: 'order-1', amount: { amount: 1250, currency: 'EUR' } }),
 * });
 */
export function createProviderApp(options: ProviderAppOptions = {}): Hono<Env> {
  const ledger = options.ledger ?? new Ledger();
  const faults = options.faults ?? new FaultInjector();
  const shutdown = options.shutdown ?? new AbortController().signal;
  // Every delayed request listens on this one signal; hundreds at once is the intended load, not a leak.
  setMaxListeners(0, shutdown);
  const app = new Hono<Env>();
  // With tracing on, each request continues the caller's trace (its W3C `traceparent`).
  app.use(serverSpan((c) => routePath(c, -1)));

  /**
   * Run the effect of a charge or refund under the faults decided for this request. `effect` is
   * synchronous (see ledger.ts): nothing can interleave between its check and its insert.
   */
  async function withFaults(c: Context<Env>, target: FaultTarget, effect: () => Response): Promise<Response> {
    const decision: FaultDecision = faults.decide(target);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, shutdown);
    if (shutdown.aborted) throw new HttpError(503, 'shutting_down', 'provider is shutting down');
    if (decision.before?.kind === 'error') {
      throw new HttpError(
        decision.before.status,
        'injected_fault',
        `injected ${target} error: nothing was recorded`,
      );
    }
    if (decision.before?.kind === 'drop') return dropConnection(c);
    const response = effect();
    if (decision.after?.kind === 'drop') return dropConnection(c);
    if (decision.after?.kind === 'hold') {
      // The effect is recorded; the answer waits until the client gives up (or holdMs passes).
      await sleep(
        decision.after.holdMs ?? Number.POSITIVE_INFINITY,
        AbortSignal.any([shutdown, c.req.raw.signal]),
      );
    }
    return response;
  }

  app.post('/v1/charges', async (c) => {
    const key = idempotencyKey(c);
    const body = await parseBody(c, ChargeRequestSchema);
    return withFaults(c, 'charge', () => {
      const outcome = ledger.charge(key, body);
      switch (outcome.kind) {
        case 'created':
          return c.json(outcome.charge, 201);
        case 'replayed':
          return c.json(outcome.charge, 200);
        case 'key-reused':
          return errorResponse(c, keyReused(key, 'charge'));
      }
    });
  });

  app.post('/v1/refunds', async (c) => {
    const key = idempotencyKey(c);
    const body = await parseBody(c, RefundRequestSchema);
    return withFaults(c, 'refund', () => {
      const outcome = ledger.refund(key, body);
      switch (outcome.kind) {
        case 'created':
          return c.json(outcome.refund, 201);
        case 'replayed':
          return c.json(outcome.refund, 200);
        case 'key-reused':
          return errorResponse(c, keyReused(key, 'refund'));
        case 'charge-not-found':
          return errorResponse(c, new HttpError(404, 'charge_not_found', `no charge ${body.chargeId}`));
        case 'currency-mismatch':
          return errorResponse(
            c,
            new HttpError(
              422,
              'currency_mismatch',
              `refund currency ${body.amount.currency} differs from the charge's ${outcome.chargeCurrency}`,
            ),
          );
        case 'exceeds-charge':
          return errorResponse(
            c,
            new HttpError(
              422,
              'refund_exceeds_charge',
              `refund of ${body.amount.amount} exceeds the refundable ${outcome.refundable}`,
            ),
          );
      }
    });
  });

  app.get('/v1/charges', (c) => {
    const key = c.req.query('idempotencyKey');
    if (!key) throw new HttpError(400, 'validation_failed', 'query parameter idempotencyKey is required');
    const charge = ledger.findChargeByKey(key);
    if (!charge) throw new HttpError(404, 'charge_not_found', 'no charge for this idempotency key');
    return c.json(charge, 200);
  });

  app.get('/v1/ledger', (c) => c.json(ledger.snapshot(), 200));

  app.get('/v1/faults', (c) => c.json(faults.status(), 200));
  app.post('/v1/faults', async (c) => {
    faults.set(await parseBody(c, FaultPlanSchema));
    return c.json(faults.status(), 200);
  });
  app.delete('/v1/faults', (c) => {
    faults.clear();
    return c.body(null, 204);
  });

  app.post('/v1/reset', (c) => {
    ledger.clear();
    faults.clear();
    return c.body(null, 204);
  });

  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'not_found', `no route ${c.req.method} ${c.req.path}`)),
  );
  app.onError((err, c) => {
    if (err instanceof HttpError) return errorResponse(c, err);
    console.error('payment provider: unexpected error', err);
    return errorResponse(c, new HttpError(500, 'internal', 'internal error'));
  });
  return app;
}

function errorResponse(c: Context<Env>, err: HttpError): Response {
  return c.json({ error: { code: err.code, message: err.message } }, err.status);
}

function keyReused(key: string, what: 'charge' | 'refund'): HttpError {
  return new HttpError(
    422,
    'idempotency_key_reused',
    `Idempotency-Key ${JSON.stringify(key)} was already used for a ${what} with different parameters`,
  );
}

/** The header is required on charges and refunds; its syntax is the one the API itself accepts. */
function idempotencyKey(c: Context<Env>): string {
  const header = c.req.header('Idempotency-Key');
  if (header === undefined)
    throw new HttpError(400, 'idempotency_key_missing', 'Idempotency-Key header is required');
  const parsed = parseIdempotencyKey(header);
  if (!parsed.ok) throw new HttpError(400, 'idempotency_key_invalid', `Idempotency-Key ${parsed.reason}`);
  return parsed.key;
}

async function parseBody<S extends z.ZodType>(c: Context<Env>, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new HttpError(400, 'validation_failed', 'body must be a JSON document');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, 'validation_failed', describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Destroy the TCP connection without an answer, as a crashing process or a broken network would.
 * The response returned afterwards is never written: its socket is gone.
 */
function dropConnection(c: Context<Env>): Response {
  const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket;
  if (!socket)
    throw new Error('dropping a connection needs a real socket: serve the app with startProvider()');
  socket.destroy();
  return new Response(null, { status: 500 });
}

/** Resolve after `ms`, or as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    signal.addEventListener('abort', done, { once: true });
  });
}
