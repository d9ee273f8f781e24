import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, seed } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { providerAdmin } from '@quickeats/payment-provider/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followEvents, waitFor } from './testing/event-client';
import { demoDish, newKey, postInit } from './testing/orders-fixture';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from './testing/test-app';

/**
 * An order of the demo owner's first dish. The seed is deterministic (same ids on every run), so the
 * dish is looked up in a seeded in-memory copy instead of the API process's own embedded database.
 */
async function dishOrder() {
  const copy = createDb({ dataDir: 'memory://' });
  try {
    await copy.migrate();
    await seed(copy.db, { orders: 0 });
    const dish = await demoDish(copy.db);
    return { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity: 1 }] };
  } finally {
    await copy.close();
  }
}

async function login(url: string) {
  return fetch(`${url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: 'quickeats-demo' }),
  });
}

// The README's start command, exercised as a real process: no database configured → PGlite.
describe('API process on the embedded default (PGlite)', () => {
  let api: ApiProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'qe-pglite-'));
  beforeAll(async () => {
    api = await startApiProcess({ DATA_DIR: dataDir, SEED_ORDERS: '30', DATABASE_URL: '' });
  });
  afterAll(async () => {
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz 200 on PGlite and logs in a seeded user', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { driver: 'pglite' } });
    expect((await login(api.url)).status).toBe(200);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const mine = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("starts the fake payment provider outside the API's process (in the supervisor) and charges through it", async () => {
    const providerUrl = /payments:\s+(http:\/\/\S+) \(fake provider/.exec(api.output())?.[1];
    expect(providerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { accessToken: token } = (await (await login(api.url)).json()) as { accessToken: string };
    // Live events work on the embedded database too (the outbox and LISTEN/NOTIFY of PGlite).
    const stream = followEvents(`${api.url}/api/v2/event-stream`, token);
    await waitFor('the event stream to open', () => stream.opens > 0);
    const created = await fetch(
      `${api.url}/api/v2/orders`,
      postInit({ token, key: newKey(), body: await dishOrder() }),
    );
    expect(created.status).toBe(201);
    const orderId = ((await created.json()) as { data: { id: string } }).data.id;
    const paid = await fetch(
      `${api.url}/api/v2/orders/${orderId}/pay`,
      postInit({ token, key: newKey(), ifMatch: '"v1"' }),
    );
    expect(paid.status).toBe(200);
    const ledger = await providerAdmin(providerUrl!).ledger();
    expect(ledger.charges.filter((c) => c.orderId === orderId)).toHaveLength(1);
    await waitFor('the order’s two events on the stream', () =>
      stream.events.some((e) => e.orderId === orderId && e.type === 'order.paid'),
    );
    stream.close();
    expect(stream.events.filter((e) => e.orderId === orderId).map((e) => [e.type, e.version])).toEqual([
      ['order.created', 1],
      ['order.paid', 2],
    ]);
  });

  it('shuts down gracefully on SIGTERM with exit code 0, stopping the provider it started', async () => {
    const providerUrl = /payments:\s+(http:\/\/\S+) \(fake provider/.exec(api.output())?.[1];
    expect(await api.stop('SIGTERM')).toBe(0);
    await expect(fetch(`${providerUrl}/v1/ledger`)).rejects.toThrow();
  });
});

describe('API process on the real PostgreSQL (DATABASE_URL)', () => {
  let db: TestDatabase;
  let api: ApiProcess;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 10 } });
    api = await startApiProcess({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('serves /healthz 200 and logs in a seeded user', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { driver: 'postgres' } });
    // Idle connections outlive the client's own keep-alive (HTTP_KEEP_ALIVE_TIMEOUT_MS), not Node's 5 s.
    expect(health.headers.get('keep-alive')).toBe('timeout=65');
    expect((await login(api.url)).status).toBe(200);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await fetch(`${api.url}/api/v2/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('API process with invalid configuration', () => {
  it('refuses to start and names the bad variable', async () => {
    await expect(startApiProcess({ PORT_IGNORED: '1', AUTH_TOKEN_SECRET: 'short' })).rejects.toThrow(
      /AUTH_TOKEN_SECRET: must be at least 32 characters/,
    );
  });
});
