/**
 * The body limit and body hygiene through the Node adapter, as clients reach them: a declared
 * Content-Length is judged from the header, a chunked body as it streams, a body within the limit
 * reaches the route's own validation, and a POST with neither header has no body (RFC 9112 §6.3).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, serveTestApp, type TestApp } from '../testing/test-app';
import { hasBody } from './body-hygiene';

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

  /** One request as raw HTTP/1.1 text, the connection closed after it: the answer's status and text. */
  const rawHttp = (head: string[]) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`${[...head, 'Host: 127.0.0.1', 'Connection: close'].join('\r\n')}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), text }));
      socket.on('error', reject);
    });

  it('takes a POST with neither Content-Length nor Transfer-Encoding as one without a body, as curl sends an action', async () => {
    const clients = await demoClients(t);
    const ownerToken = await t.tokenFor(DEMO_ACCOUNTS.owner);
    const order = await orderIn(t, clients, 'paid');
    const res = await rawHttp([
      `POST /api/v2/orders/${order.id}/accept HTTP/1.1`,
      `Authorization: Bearer ${ownerToken}`,
      `If-Match: "v${order.version}"`,
      // A JSON content type with nothing after it still means "no body" (no reason given).
      'Content-Type: application/json',
    ]);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('"status":"accepted"');
    const after = await clients.owner.get(`/api/v2/orders/${order.id}`);
    expect(after.body.data?.attributes.version).toBe(order.version + 1);
  });
});

describe('hasBody', () => {
  it('judges an HTTP/1.1 request by its framing, without asking it for its body (which builds a full Request)', async () => {
    const answers: boolean[] = [];
    const app = new Hono().post('/x', (c) => {
      answers.push(hasBody(c));
      return c.text('ok');
    });
    let asked = 0;
    const bodiless = () => {
      const req = new Request('http://localhost/x', { method: 'POST' });
      Object.defineProperty(req, 'body', {
        get: () => {
          asked++;
          return null;
        },
      });
      return req;
    };
    await app.fetch(bodiless(), { incoming: { httpVersionMajor: 1 } });
    expect(asked).toBe(0);
    // HTTP/2 frames a body by its stream, and a request built in-process may declare nothing: asked.
    await app.fetch(bodiless(), { incoming: { httpVersionMajor: 2 } });
    await app.fetch(bodiless());
    expect(asked).toBe(2);
    expect(answers).toEqual([false, false, false]);
  });
});
