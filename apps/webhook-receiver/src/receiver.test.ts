/**
 * The sample receiver as a partner runs it: a real HTTP server, sent deliveries signed the way
 * QuickEats signs them (`standardwebhooks`, the same package the API's signer uses). A delivery is
 * handled once, its replay is acknowledged without being handled again, and a forged or stale one
 * is refused without being handled.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@quickeats/sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookHandler } from './receiver';

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
const SECRET = secret();

let server: Server;
let url: string;
const handled: { id: string; payload: WebhookPayload }[] = [];
let failNext = false;

beforeAll(async () => {
  server = createServer(
    webhookHandler({
      secret: SECRET,
      onEvent: (payload, id) => {
        if (failNext) {
          failNext = false;
          throw new Error('the partner database is down');
        }
        handled.push({ id, payload });
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function payload(): WebhookPayload {
  const occurredAt = new Date().toISOString();
  const data = {
    position: '1042',
    type: 'order.paid' as const,
    orderId: randomUUID(),
    version: 2,
    status: 'paid' as const,
    actorRole: 'customer' as const,
    occurredAt,
  };
  return { type: data.type, timestamp: occurredAt, data };
}

/** A delivery as QuickEats sends it: JSON body, `webhook-*` headers signed with `signWith`. */
function delivery(body: string, options: { id?: string; signWith?: string; at?: Date } = {}) {
  const id = options.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const at = options.at ?? new Date();
  return {
    id,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.signWith ?? SECRET).sign(id, at, body),
    },
    body,
  };
}

const send = (d: ReturnType<typeof delivery>) =>
  fetch(url, { method: 'POST', headers: d.headers, body: d.body }).then((r) => r.status);

describe('sample webhook receiver', () => {
  it('handles a signed delivery once and acknowledges its replay without handling it again', async () => {
    const event = payload();
    const first = delivery(JSON.stringify(event));
    expect(await send(first)).toBe(204);
    expect(handled.filter((h) => h.id === first.id)).toEqual([{ id: first.id, payload: event }]);

    // At-least-once: the same webhook-id again (a retry after a lost answer, a redelivery).
    expect(await send(first)).toBe(204);
    expect(await send(delivery(first.body, { id: first.id }))).toBe(204);
    expect(handled.filter((h) => h.id === first.id)).toHaveLength(1);
  });

  it('refuses a forged, tampered or stale delivery with 401 and handles none of them', async () => {
    const before = handled.length;
    const body = JSON.stringify(payload());
    // Signed with another secret.
    expect(await send(delivery(body, { signWith: secret() }))).toBe(401);
    // A genuine signature over another body.
    const genuine = delivery(body);
    const tampered = { ...genuine, body: body.replace('"version":2', '"version":3') };
    expect(await send(tampered)).toBe(401);
    // Unsigned.
    const { 'webhook-signature': _, ...unsigned } = genuine.headers;
    expect(await fetch(url, { method: 'POST', headers: unsigned, body }).then((r) => r.status)).toBe(401);
    // A genuine delivery captured long ago and replayed now: outside the timestamp tolerance.
    expect(await send(delivery(body, { at: new Date(Date.now() - 3_600_000) }))).toBe(401);
    expect(handled).toHaveLength(before);
  });

  it('answers 500 when handling fails, so the retry of the same webhook-id is handled', async () => {
    const d = delivery(JSON.stringify(payload()));
    failNext = true;
    expect(await send(d)).toBe(500);
    expect(handled.some((h) => h.id === d.id)).toBe(false);
    expect(await send(d)).toBe(204);
    expect(handled.filter((h) => h.id === d.id)).toHaveLength(1);
  });
});

describe('the README snippet', () => {
  it('is this code: every line of the README block is a line of src/receiver.ts', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /Its core, from `src\/receiver\.ts`:\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the README names src/receiver.ts above a ts block').toBeDefined();
    const source = new Set(
      readFileSync(new URL('./receiver.ts', import.meta.url), 'utf8')
        .split('\n')
        .map((l) => l.trim()),
    );
    const lines = block!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && l !== '// …');
    expect(lines.filter((l) => !source.has(l))).toEqual([]);
  });
});
