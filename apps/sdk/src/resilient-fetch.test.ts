/**
 * The resilient fetch with a scripted fetch underneath: the request each attempt sends, and the
 * answers that make it retry or stop. (The same behaviour against the real API is in the client tests.)
 */
import { describe, expect, it } from 'vitest';
import { QuickEatsNetworkError } from './errors';
import { createResilientFetch, readInFlight } from './resilient-fetch';
import type { RetryEvent } from './retry-policy';

type Step = Response | Error | 'hang';

function scripted(steps: Step[]) {
  const seen: { method: string; key: string | null; body: string }[] = [];
  const fetch = async (req: Request): Promise<Response> => {
    seen.push({ method: req.method, key: req.headers.get('idempotency-key'), body: await req.text() });
    const step = steps.shift();
    if (!step) throw new Error('script exhausted');
    if (step === 'hang')
      return new Promise((_, reject) => {
        // Like a real fetch: an aborted signal rejects, whether it fired before or after the call.
        if (req.signal.aborted) reject(req.signal.reason);
        req.signal.addEventListener('abort', () => reject(req.signal.reason));
      });
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, seen };
}

const problem = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const ok = () => new Response('{"ok":true}', { status: 200 });
const post = (key?: string) =>
  new Request('http://api.test/api/v2/orders', {
    method: 'POST',
    body: '{"a":1}',
    headers: key ? { 'Idempotency-Key': key } : {},
  });

describe('createResilientFetch', () => {
  it('resends the same body and the same Idempotency-Key on every attempt', async () => {
    const { fetch, seen } = scripted([new TypeError('fetch failed'), problem(503, {}), ok()]);
    const events: RetryEvent[] = [];
    const f = createResilientFetch({
      fetch,
      retry: { baseDelayMs: 1, onRetry: (e) => events.push(e), random: () => 0 },
    });
    const res = await f(post('key-1'));
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      { method: 'POST', key: 'key-1', body: '{"a":1}' },
      { method: 'POST', key: 'key-1', body: '{"a":1}' },
      { method: 'POST', key: 'key-1', body: '{"a":1}' },
    ]);
    expect(events.map((e) => [e.attempt, e.reason, e.idempotencyKey])).toEqual([
      [1, 'network-error', 'key-1'],
      [2, 'server-error', 'key-1'],
    ]);
  });

  it('hands back a 409 that is not "in flight" without retrying', async () => {
    const { fetch, seen } = scripted([problem(409, { code: 'INVALID_TRANSITION' })]);
    const res = await createResilientFetch({ fetch, retry: { baseDelayMs: 1 } })(post('k'));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ code: 'INVALID_TRANSITION' });
    expect(seen).toHaveLength(1);
  });

  it('times out a hanging attempt and retries it when safe', async () => {
    const { fetch, seen } = scripted(['hang', ok()]);
    const res = await createResilientFetch({ fetch, timeoutMs: 50, retry: { baseDelayMs: 1 } })(
      new Request('http://api.test/api/v2/me'),
    );
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('does not retry when the caller aborts', async () => {
    const { fetch, seen } = scripted(['hang', ok()]);
    const controller = new AbortController();
    const pending = createResilientFetch({ fetch, retry: { baseDelayMs: 1 } })(
      new Request('http://api.test/api/v2/me', { signal: controller.signal }),
    );
    controller.abort(new Error('user navigated away'));
    await expect(pending).rejects.toThrow('user navigated away');
    expect(seen).toHaveLength(1);
  });

  it('reports a network error with the number of attempts once it gives up', async () => {
    const { fetch } = scripted([new TypeError('fetch failed'), new TypeError('fetch failed')]);
    const err = await createResilientFetch({ fetch, retry: { baseDelayMs: 1, maxAttempts: 2 } })(
      new Request('http://api.test/api/v2/me'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuickEatsNetworkError);
    expect((err as QuickEatsNetworkError).attempts).toBe(2);
    expect((err as Error).message).toContain('GET http://api.test/api/v2/me failed after 2 attempts');
  });
});

describe('readInFlight', () => {
  it('reads the REST problem code and the Retry-After header', async () => {
    const res = problem(409, { code: 'IDEMPOTENCY_IN_FLIGHT' }, { 'Retry-After': '2' });
    expect(await readInFlight(res)).toEqual({ retryAfterMs: 2000 });
    // The body is still there for whoever reads the response next.
    expect(await res.json()).toEqual({ code: 'IDEMPOTENCY_IN_FLIGHT' });
  });

  it("reads tRPC's error shape (data.errorCode, data.retryAfterSeconds)", async () => {
    const res = new Response(
      JSON.stringify({
        error: {
          message: 'busy',
          code: -32009,
          data: { errorCode: 'IDEMPOTENCY_IN_FLIGHT', retryAfterSeconds: 3 },
        },
      }),
      { status: 409 },
    );
    expect(await readInFlight(res)).toEqual({ retryAfterMs: 3000 });
  });

  it('is null for other conflicts and for bodies that are not JSON', async () => {
    expect(await readInFlight(problem(409, { code: 'INVALID_TRANSITION' }))).toBeNull();
    expect(await readInFlight(new Response('<html>', { status: 409 }))).toBeNull();
  });
});
