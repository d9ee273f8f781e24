/**
 * The body limit and body hygiene through the Node adapter, as clients reach them: a declared
 * Content-Length is judged from the header, a chunked body as it streams, and a body within the
 * limit reaches the route's own validation.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEMO_ACCOUNTS, serveTestApp, type TestApp } from '../testing/test-app';

const LIMIT = 4096;

describe('request bodies through the Node adapter', () => {
  let t: TestApp;
  let token: string;
  let server: Awaited<ReturnType<typeof serveTestApp>>;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: String(LIMIT) } });
    token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    server = await serveTestApp(t.app);
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** POST `body` to /api/v2/orders, with a Content-Length or (chunked) in two writes. */
  const post = (body: string, framing: 'length' | 'chunked') =>
    new Promise<{ status: number; body: { code?: string; errors?: { field: string }[] } }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v2/orders',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': crypto.randomUUID(),
              ...(framing === 'length' ? { 'content-length': Buffer.byteLength(body) } : {}),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        const half = Math.floor(body.length / 2);
        req.write(body.slice(0, half));
        req.end(body.slice(half));
      },
    );

  const oversized = JSON.stringify({ restaurantId: crypto.randomUUID(), items: [], note: 'x'.repeat(LIMIT) });
  const withinLimit = JSON.stringify({ restaurantId: 'not-a-uuid', items: [] });

  it('answers 413 to a declared length over the limit, and to a chunked body that grows past it', async () => {
    for (const framing of ['length', 'chunked'] as const) {
      const res = await post(oversized, framing);
      expect({ framing, status: res.status, code: res.body.code }).toEqual({
        framing,
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      });
    }
  });

  it('passes a body within the limit, either way, on to the route (its own validation answers)', async () => {
    for (const framing of ['length', 'chunked'] as const) {
      const res = await post(withinLimit, framing);
      expect(res.status, framing).toBe(400);
      expect(res.body.errors?.map((e) => e.field)).toContain('restaurantId');
    }
  });
});
