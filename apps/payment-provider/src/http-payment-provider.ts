/**
 * The `PaymentProvider` port over HTTP, against the fake provider server (or anything speaking its
 * wire format). Its one job beyond transport is to say, on every failure, whether a charge may have
 * happened — `PaymentProviderError.outcomeUnknown` — because the caller's next step depends on it:
 * outcome unknown → retry later with the SAME idempotency key (the provider deduplicates);
 * outcome known → the request did nothing and the failure may be reported as final.
 *
 * How each failure is classified, and why:
 * - Timeout (our AbortSignal fired): unknown. The provider may have charged and be slow to answer.
 * - Connection reset / closed mid-request, any other network error: unknown. The request may have
 *   reached the provider before the connection died (the fake's `dropAfterCharge` does exactly that).
 * - Connection refused, host not found: known. No connection was ever made, so nothing was sent.
 * - 5xx: unknown. A 5xx does not prove nothing happened: a proxy in front may answer 502/504 after the
 *   provider charged, and a crash after the commit surfaces as 500 too (Stripe documents 500s as
 *   indeterminate). The fake's `errorBeforeCharge` does record nothing, but a client cannot tell that
 *   5xx apart from the others, and the cost of "unknown" is only a deduplicated retry while the cost
 *   of a wrong "known" is a second charge under a fresh key.
 * - 4xx: known. The provider refused the request before acting on it (validation, unknown charge,
 *   refund too large, idempotency key reused with other parameters).
 * - 2xx with a body that does not parse: unknown. The provider acted, but we cannot read what it did.
 */
import type { Charge, Money, PaymentProvider, Refund } from '@quickeats/domain';
import { PaymentProviderError } from '@quickeats/domain';
import { inSpan, traceHeaders } from '@quickeats/telemetry';
import { Pool } from 'undici';
import type { z } from 'zod';
import { ChargeSchema, ErrorBodySchema, RefundSchema } from './wire';

export interface HttpPaymentProviderOptions {
  /** e.g. `http://127.0.0.1:4010`; a trailing slash is fine. */
  baseUrl: string;
  /** Upper bound for a whole call, response body included. */
  timeoutMs: number;
}

/**
 * A `PaymentProviderError` with what the HTTP exchange showed: the status (null when no response
 * came) and a stable code — the provider's own error code, or `timeout`, `network`,
 * `connection_refused`, `bad_response`.
 */
export class PaymentProviderHttpError extends PaymentProviderError {
  readonly status: number | null;
  readonly code: string;
  constructor(
    message: string,
    init: { outcomeUnknown: boolean; status: number | null; code: string; cause?: unknown },
  ) {
    super(message, init.outcomeUnknown);
    this.name = 'PaymentProviderHttpError';
    this.status = init.status;
    this.code = init.code;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}

/** Errors of undici that mean no connection was made, so no request can have arrived. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * @example
 * const payments = new HttpPaymentProvider({ baseUrl: 'http://127.0.0.1:4010', timeoutMs: 2000 });
 * try {
 *   const charge = await payments.charge({ idempotencyKey: `pay:${orderId}`, orderId, amount: total });
 * } catch (err) {
 *   if (err instanceof PaymentProviderError && err.outcomeUnknown) {
 *     // retry later with the same idempotencyKey: never a new one
 *   }
 * }
 */
export class HttpPaymentProvider implements PaymentProvider {
  private readonly baseUrl: string;
  /** The base URL's path, prefixed to every call's path (empty for a bare origin). */
  private readonly basePath: string;
  private readonly timeoutMs: number;
  /**
   * Keep-alive connections to the provider's origin, through undici's `request` rather than the
   * global `fetch`: no WHATWG Request, Headers, AbortSignal wiring or body stream per call, and the
   * head and the JSON body leave in one socket write (fetch wrote them as two). On the pay path
   * that was about a fifth of the API worker's CPU per pay. Idle sockets do not hold the process open.
   */
  private readonly pool: Pool;

  constructor(options: HttpPaymentProviderOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const url = new URL(this.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.pool = new Pool(url.origin);
  }

  /** Close the provider's connections (calls in flight finish first). */
  close(): Promise<void> {
    return this.pool.close();
  }

  async charge(req: { idempotencyKey: string; orderId: string; amount: Money }): Promise<Charge> {
    const res = await this.send('POST', '/v1/charges', {
      idempotencyKey: req.idempotencyKey,
      body: { orderId: req.orderId, amount: req.amount },
    });
    return this.read(res, ChargeSchema);
  }

  async refund(req: { idempotencyKey: string; chargeId: string; amount: Money }): Promise<Refund> {
    const res = await this.send('POST', '/v1/refunds', {
      idempotencyKey: req.idempotencyKey,
      body: { chargeId: req.chargeId, amount: req.amount },
    });
    return this.read(res, RefundSchema);
  }

  async findChargeByKey(idempotencyKey: string): Promise<Charge | null> {
    const res = await this.send(
      'GET',
      `/v1/charges?idempotencyKey=${encodeURIComponent(idempotencyKey)}`,
      {},
    );
    if (res.status === 404) return null;
    return this.read(res, ChargeSchema);
  }

  /** Send a request; settle with the response, or throw a classified error (see the header). */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    opts: { idempotencyKey?: string; body?: unknown },
  ): Promise<{ status: number; text: string; what: string }> {
    const what = `${method} ${path.split('?')[0]}`;
    // With tracing on: one client span per HTTP call (each retry its own), whose context travels
    // in `traceparent` so the provider continues the trace.
    return inSpan(
      `payment-provider ${what}`,
      { kind: 'client', attributes: { 'http.request.method': method, 'server.address': this.baseUrl } },
      async () => {
        const headers: Record<string, string> = { accept: 'application/json', ...traceHeaders() };
        if (opts.idempotencyKey !== undefined) headers['idempotency-key'] = opts.idempotencyKey;
        if (opts.body !== undefined) headers['content-type'] = 'application/json';
        // One signal for the whole exchange: a response whose body never finishes also times out.
        const signal = AbortSignal.timeout(this.timeoutMs);
        try {
          const res = await this.pool.request({
            path: `${this.basePath}${path}`,
            method,
            headers,
            body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
            signal,
          });
          return { status: res.statusCode, text: await res.body.text(), what };
        } catch (err) {
          throw classifyTransportError(err, what, this.timeoutMs);
        }
      },
    );
  }

  private read<T>(res: { status: number; text: string; what: string }, schema: z.ZodType<T>): T {
    if (res.status >= 200 && res.status < 300) {
      const parsed = schema.safeParse(parseJson(res.text));
      if (parsed.success) return parsed.data;
      throw new PaymentProviderHttpError(`${res.what}: unreadable ${res.status} response from the provider`, {
        outcomeUnknown: true,
        status: res.status,
        code: 'bad_response',
        cause: parsed.error,
      });
    }
    const problem = ErrorBodySchema.safeParse(parseJson(res.text));
    const code = problem.success ? problem.data.error.code : 'bad_response';
    const detail = problem.success ? problem.data.error.message : res.text.slice(0, 200);
    throw new PaymentProviderHttpError(`${res.what}: provider answered ${res.status} ${code}: ${detail}`, {
      outcomeUnknown: res.status >= 500 || res.status < 400,
      status: res.status,
      code,
    });
  }
}

function classifyTransportError(err: unknown, what: string, timeoutMs: number): PaymentProviderHttpError {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new PaymentProviderHttpError(`${what}: no answer from the provider within ${timeoutMs} ms`, {
      outcomeUnknown: true,
      status: null,
      code: 'timeout',
      cause: err,
    });
  }
  // undici's `request` throws the system error itself (fetch wrapped it as the cause).
  const causeCode = errorCode(err) ?? errorCode(err instanceof Error ? err.cause : undefined);
  if (causeCode !== undefined && NOT_CONNECTED_CODES.has(causeCode)) {
    return new PaymentProviderHttpError(`${what}: could not connect to the provider (${causeCode})`, {
      outcomeUnknown: false,
      status: null,
      code: 'connection_refused',
      cause: err,
    });
  }
  return new PaymentProviderHttpError(
    `${what}: connection to the provider failed (${causeCode ?? String(err)})`,
    {
      outcomeUnknown: true,
      status: null,
      code: 'network',
      cause: err,
    },
  );
}

/** `code` of a Node system error; an AggregateError (several addresses tried) carries it too. */
function errorCode(cause: unknown): string | undefined {
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
