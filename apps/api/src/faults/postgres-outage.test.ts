/**
 * Fault test (issue 11): PostgreSQL restarted (`pg_ctl stop -m immediate`, then start) and frozen
 * (SIGSTOP on every process of the cluster, then SIGCONT) under an 8-connection burst of creates,
 * pays and reads across 2 API processes. The cluster, the provider and the API processes are the
 * test's own (never the shared PostgreSQL). Each fault asserts: no API process exits, every answer
 * during the outage is 2xx or a 503/502 with Retry-After and none outlives the request deadline
 * (plus scheduling slack), the API recovers by itself, and afterwards the provider's ledger equals
 * the payments table, every order's events match its version, and no idempotency key stays held.
 * The figures of each fault are printed for the README.
 */
import { createDb, type DbHandle, executeRows } from '@quickeats/db';
import { providerAdmin } from '@quickeats/payment-provider/client';
import { type SpawnedProvider, spawnProvider } from '@quickeats/payment-provider/process';
import { type PrivatePostgres, scaledTimeout, startPrivatePostgres, waitFor } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDish, newKey, postInit } from '../testing/orders-fixture';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from '../testing/test-app';

const REQUEST_TIMEOUT_MS = 5000;
const LEASE_SECONDS = 3;
/**
 * What a busy two-core machine may add to an answer beyond the deadline (scheduling, not waiting).
 * The bound tells "answered at the deadline" from "hung until the database came back" (minutes).
 */
const SLACK_MS = scaledTimeout(30_000);

interface Answer {
  surface: string;
  startedAt: number;
  ms: number;
  /** 0: no HTTP answer (connection refused/reset). */
  status: number;
  retryAfter: string | null;
  error?: string;
}

async function send(
  surface: string,
  url: string,
  init: RequestInit,
  log: Answer[],
): Promise<Answer & { body: string }> {
  const startedAt = performance.now();
  let answer: Answer & { body: string };
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
    const body = await res.text();
    const ms = performance.now() - startedAt;
    answer = { surface, startedAt, ms, status: res.status, retryAfter: res.headers.get('retry-after'), body };
  } catch (err) {
    const ms = performance.now() - startedAt;
    answer = { surface, startedAt, ms, status: 0, retryAfter: null, error: String(err), body: '' };
  }
  log.push(answer);
  return answer;
}

const definite = (status: number) => status >= 200 && status < 500 && status !== 409;

describe('PostgreSQL restarted and frozen under load', () => {
  let pg: PrivatePostgres;
  let provider: SpawnedProvider;
  let apis: ApiProcess[] = [];
  let db: DbHandle;
  let token: string;
  let dish: { restaurantId: string; menuItemId: string };
  const orderIds: string[] = [];

  beforeAll(async () => {
    [pg, provider] = await Promise.all([startPrivatePostgres(), spawnProvider()]);
    const env = {
      DATABASE_URL: pg.adminUrl,
      PAYMENT_PROVIDER_URL: provider.url,
      SEED_ORDERS: '10',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS),
      MAINTENANCE_INTERVAL_MS: '1000',
    };
    apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    db = createDb({ url: pg.adminUrl, maxConnections: 2 });
    dish = await demoDish(db.db);
    const login = await fetch(`${apis[0]!.url}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: 'quickeats-demo' }),
    });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await db?.close().catch(() => {});
    await provider?.stop();
    await pg?.destroy();
  });

  /** One client of the burst: create, pay (retried with the same key until definite), read. */
  async function client(n: number, log: Answer[], running: () => boolean) {
    const base = () => apis[(n + log.length) % apis.length]!.url;
    while (running()) {
      const createKey = newKey();
      const body = { restaurantId: dish.restaurantId, items: [{ menuItemId: dish.menuItemId, quantity: 1 }] };
      let orderId: string | undefined;
      for (let i = 0; i < 400 && !orderId; i++) {
        const a = await send(
          'create',
          `${base()}/api/v2/orders`,
          postInit({ token, key: createKey, body }),
          log,
        );
        if (a.status === 201) orderId = (JSON.parse(a.body) as { data: { id: string } }).data.id;
        else if (definite(a.status)) throw new Error(`create answered ${a.status}: ${a.body}`);
        else await new Promise((r) => setTimeout(r, 250));
      }
      if (!orderId) continue;
      orderIds.push(orderId);
      const payKey = newKey();
      for (let i = 0; i < 400; i++) {
        const a = await send(
          'pay',
          `${base()}/api/v2/orders/${orderId}/pay`,
          postInit({ token, key: payKey, ifMatch: '"v1"' }),
          log,
        );
        if (definite(a.status)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      await send(
        'read',
        `${base()}/api/v2/orders/${orderId}`,
        { headers: { authorization: `Bearer ${token}` } },
        log,
      );
    }
  }

  async function underFault(name: string, inject: () => Promise<void>, restore: () => Promise<void>) {
    const log: Answer[] = [];
    let running = true;
    const clients = Array.from({ length: 8 }, (_, n) => client(n, log, () => running));
    await waitFor(() => log.filter((a) => a.status >= 200 && a.status < 300).length >= 16, {
      description: 'a warm burst',
      timeoutMs: 120_000,
    });
    const faultAt = performance.now();
    await inject();
    // Outage long enough to be answered: at least 16 answers to requests sent during it.
    await waitFor(() => log.filter((a) => a.startedAt > faultAt && a.status !== undefined).length >= 16, {
      description: 'answers during the outage',
      timeoutMs: 180_000,
    });
    const restoreAt = performance.now();
    await restore();
    const returnedAt = performance.now();
    // Recovered: both processes ready and reading.
    for (const api of apis) {
      await waitFor(
        async () => {
          const [ready, read] = await Promise.all([
            fetch(`${api.url}/readyz`).then(
              (r) => r.status,
              () => 0,
            ),
            fetch(`${api.url}/api/v2/orders`, { headers: { authorization: `Bearer ${token}` } }).then(
              (r) => r.status,
              () => 0,
            ),
          ]);
          return ready === 200 && read === 200;
        },
        { description: `${api.url} recovered`, timeoutMs: 120_000, intervalMs: 100 },
      );
    }
    const recoveredMs = performance.now() - returnedAt;
    running = false;
    await Promise.all(clients);
    const during = log.filter((a) => a.startedAt >= faultAt && a.startedAt <= restoreAt);
    const figures = {
      fault: name,
      sent: during.length,
      ok: during.filter((a) => a.status >= 200 && a.status < 300).length,
      unavailable: during.filter((a) => a.status === 503).length,
      other: during.filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503),
      longestMs: Math.round(Math.max(...during.filter((a) => a.ms > 0).map((a) => a.ms))),
      recoveredMs: Math.round(recoveredMs),
    };
    console.log(
      `[fault figures] ${JSON.stringify({ ...figures, other: figures.other.map((a) => a.status) })}`,
    );
    return { log, during, figures };
  }

  async function checkConsistency() {
    // Orphan charges (a pay that charged while the commit failed) are settled by the maintenance loop.
    const charges = async () => {
      const ledger = await providerAdmin(provider.url).ledger();
      return new Set(ledger.charges.filter((c) => orderIds.includes(c.orderId)).map((c) => c.id));
    };
    const recorded = async () =>
      new Set(
        (
          await executeRows<{ provider_reference: string }>(
            db.db,
            sql`select provider_reference from payments where provider_reference not like 'ch_seed_%'`,
          )
        ).map((r) => r.provider_reference),
      );
    await waitFor(
      async () => {
        const [c, r] = await Promise.all([charges(), recorded()]);
        return c.size === r.size && [...c].every((id) => r.has(id));
      },
      { description: 'provider ledger = payments table', timeoutMs: 120_000, intervalMs: 500 },
    );
    const mismatched = await executeRows<{ id: string }>(
      db.db,
      sql`select o.id from orders o
          where o.version <> (select count(*) from order_events e where e.order_id = o.id)
             or o.version <> (select max(e.version) from order_events e where e.order_id = o.id)`,
    );
    expect(mismatched).toEqual([]);
    await waitFor(
      async () =>
        (
          await executeRows<{ n: number }>(
            db.db,
            sql`select count(*)::int as n from idempotency_keys where state = 'in-flight' and lease_expires_at > now()`,
          )
        )[0]?.n === 0,
      { description: 'no idempotency key held', timeoutMs: 60_000, intervalMs: 500 },
    );
  }

  function checkContract(during: Answer[]) {
    for (const api of apis) {
      expect(api.child.exitCode).toBeNull();
      expect(api.output()).not.toContain('[supervisor] worker');
    }
    expect(during.filter((a) => a.status === 0 || a.status === 500)).toEqual([]);
    for (const a of during.filter((x) => x.status === 503 || x.status === 502))
      expect(a.retryAfter).toMatch(/^\d+$/);
    for (const a of during) expect(a.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  }

  it('restart (stop -m immediate, start): no process dies, 503s with Retry-After, recovery, nothing lost', async () => {
    const { during } = await underFault(
      'postgres restart',
      () => pg.stop('immediate'),
      () => pg.start(),
    );
    checkContract(during);
    expect(during.some((a) => a.status === 503)).toBe(true);
    await checkConsistency();
  }, 600_000);

  it('freeze (SIGSTOP, SIGCONT): answers within the deadline, recovery, nothing lost', async () => {
    const { during } = await underFault(
      'postgres freeze',
      () => pg.freeze(),
      () => pg.thaw(),
    );
    checkContract(during);
    expect(during.some((a) => a.status === 503)).toBe(true);
    await checkConsistency();
  }, 600_000);
});
