/**
 * The harness of the fault tests (issue 11, `src/faults/*.test.ts`): an 8-connection burst of
 * creates, pays and reads across the API processes a test started, a fault injected and removed
 * under it, and the checks every fault shares — the contract (no process died, no answer without
 * HTTP or with a 500, every 502/503 carries Retry-After, none outlived the deadline), recovery (every
 * process ready and reading again), and afterwards nothing lost: every client request reached a
 * definite answer (no idempotency key stayed wedged), no order was created twice, the provider's
 * ledger equals the payments table, every order's events match its version. It prints the figures
 * of each fault (`[fault figures] {…}`) for the README.
 */
import { randomUUID } from 'node:crypto';
import { createDb, type Database, type DbHandle, DEMO_PASSWORD, executeRows } from '@quickeats/db';
import { providerAdmin } from '@quickeats/payment-provider/client';
import { scaledTimeout, waitFor } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { demoDish, newKey, postInit } from './orders-fixture';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from './test-app';

/** The per-request deadline the fault tests give the API processes. */
export const FAULT_REQUEST_TIMEOUT_MS = 5000;
/**
 * What a busy two-core machine may add to an answer beyond the deadline (scheduling, not waiting).
 * The bound tells "answered at the deadline" from "hung until the database came back" (minutes).
 */
const SLACK_MS = scaledTimeout(30_000);

export interface Answer {
  surface: string;
  startedAt: number;
  ms: number;
  /** 0: no HTTP answer (connection refused/reset). */
  status: number;
  retryAfter: string | null;
  error?: string;
}

export interface FaultFigures {
  fault: string;
  /** Requests sent from the fault's injection to the dependency's return. */
  sent: number;
  ok: number;
  unavailable: number;
  badGateway: number;
  /** Statuses of the other answers (4xx a client acts on, e.g. 412 after a retried pay). */
  other: number[];
  longestMs: number;
  recoveredMs: number;
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

/** An answer the client acts on without retrying (a 409 is an in-flight key: retried). */
const definite = (status: number) => status >= 200 && status < 500 && status !== 409;
const RETRIES = 400;

/**
 * The demo customer's token. Retried: on a loaded machine a sign-in may pass the deadline of the
 * fault tests' API processes and answer 503 — the contract, and the client retries.
 */
export async function customerToken(apiUrl: string, email: string, password: string): Promise<string> {
  let token: string | undefined;
  await waitFor(
    async () => {
      const res = await fetch(`${apiUrl}/api/v2/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (res.status === 200) token = ((await res.json()) as { accessToken: string }).accessToken;
      else if (res.status !== 503) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
      return token !== undefined;
    },
    { description: 'a token for the burst', timeoutMs: 120_000, intervalMs: 250 },
  );
  return token!;
}

export interface FaultBurstOptions {
  apis: ApiProcess[];
  /** A customer's token, and a dish it can order. */
  token: string;
  dish: { restaurantId: string; menuItemId: string };
  /** The test's own database (for the consistency checks). */
  db: Database;
  providerUrl: string;
  /** The idempotency records live in PostgreSQL (checked for a held lease afterwards). */
  idempotencyInPostgres: boolean;
}

export function faultBurst(options: FaultBurstOptions) {
  const { apis, token, dish } = options;
  /** Every order the burst created (once each), and the client requests that never got a definite answer. */
  const orderIds: string[] = [];
  const wedged: string[] = [];
  // Every order of this burst carries this note: created twice would show up as one too many.
  const note = `fault-burst ${randomUUID()}`;

  /** One client of the burst: create, pay (retried with the same key until definite), read. */
  async function client(n: number, log: Answer[], running: () => boolean) {
    const base = () => apis[(n + log.length) % apis.length]!.url;
    while (running()) {
      const createKey = newKey();
      const body = {
        restaurantId: dish.restaurantId,
        items: [{ menuItemId: dish.menuItemId, quantity: 1 }],
        note,
      };
      let orderId: string | undefined;
      for (let i = 0; i < RETRIES && !orderId; i++) {
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
      if (!orderId) {
        wedged.push(`create ${createKey}`);
        continue;
      }
      orderIds.push(orderId);
      const payKey = newKey();
      let paid = false;
      for (let i = 0; i < RETRIES && !paid; i++) {
        const a = await send(
          'pay',
          `${base()}/api/v2/orders/${orderId}/pay`,
          postInit({ token, key: payKey, ifMatch: '"v1"' }),
          log,
        );
        paid = definite(a.status);
        if (!paid) await new Promise((r) => setTimeout(r, 250));
      }
      if (!paid) wedged.push(`pay ${payKey}`);
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
    await waitFor(() => log.filter((a) => a.startedAt > faultAt).length >= 16, {
      description: 'answers during the outage',
      timeoutMs: 180_000,
    });
    const restoreAt = performance.now();
    await restore();
    const returnedAt = performance.now();
    // Recovered: every process ready and reading.
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
    const figures: FaultFigures = {
      fault: name,
      sent: during.length,
      ok: during.filter((a) => a.status >= 200 && a.status < 300).length,
      unavailable: during.filter((a) => a.status === 503).length,
      badGateway: during.filter((a) => a.status === 502).length,
      other: during
        .filter((a) => !(a.status >= 200 && a.status < 300) && a.status !== 503 && a.status !== 502)
        .map((a) => a.status),
      longestMs: Math.round(Math.max(...during.filter((a) => a.ms > 0).map((a) => a.ms))),
      recoveredMs: Math.round(recoveredMs),
    };
    console.log(`[fault figures] ${JSON.stringify(figures)}`);
    return { log, during, figures };
  }

  /** No process died, no answer without HTTP or with a 500, 502/503 with Retry-After, none past the deadline. */
  function checkContract(during: Answer[]) {
    for (const api of apis) {
      expect(api.child.exitCode).toBeNull();
      expect(api.output()).not.toContain('[supervisor] worker');
    }
    // The processes' own logs say why an answer was a 500 (the error is logged with its stack).
    const logs = apis.map((api) => `--- ${api.url}\n${api.output()}`).join('\n');
    expect(
      during.filter((a) => a.status === 0 || a.status === 500),
      logs,
    ).toEqual([]);
    for (const a of during.filter((x) => x.status === 503 || x.status === 502))
      expect(a.retryAfter).toMatch(/^\d+$/);
    for (const a of during) expect(a.ms).toBeLessThan(FAULT_REQUEST_TIMEOUT_MS + SLACK_MS);
  }

  /** Nothing lost, nothing twice, nothing held. */
  async function checkConsistency() {
    expect(wedged).toEqual([]);
    const [created] = await executeRows<{ n: number }>(
      options.db,
      sql`select count(*)::int as n from orders where note = ${note}`,
    );
    expect(created?.n).toBe(new Set(orderIds).size);
    // Orphan charges (a pay that charged while its answer or commit was lost) are settled by the
    // maintenance loop. Seeded payments were never charged at the provider.
    const charges = async () => {
      const ledger = await providerAdmin(options.providerUrl).ledger();
      return new Set(ledger.charges.filter((c) => orderIds.includes(c.orderId)).map((c) => c.id));
    };
    const recorded = async () =>
      new Set(
        (
          await executeRows<{ provider_reference: string }>(
            options.db,
            sql`select provider_reference from payments where not seeded`,
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
      options.db,
      sql`select o.id from orders o
          where o.version <> (select count(*) from order_events e where e.order_id = o.id)
             or o.version <> (select max(e.version) from order_events e where e.order_id = o.id)`,
    );
    expect(mismatched).toEqual([]);
    if (options.idempotencyInPostgres) {
      await waitFor(
        async () =>
          (
            await executeRows<{ n: number }>(
              options.db,
              sql`select count(*)::int as n from idempotency_keys where state = 'in-flight' and lease_expires_at > now()`,
            )
          )[0]?.n === 0,
        { description: 'no idempotency key held', timeoutMs: 60_000, intervalMs: 500 },
      );
    }
  }

  return { underFault, checkContract, checkConsistency, orderIds };
}

/**
 * What every fault test runs against: two API processes on the test's private PostgreSQL with the
 * fault deadlines (request 5 s, connect 2 s, lease 3 s, maintenance every second), a handle on
 * that database, and the burst of the demo customer over both processes.
 */
export async function startFaultDeployment(options: {
  databaseUrl: string;
  providerUrl: string;
  /** Added to (or overriding) the shared settings. */
  env?: Record<string, string>;
  idempotencyInPostgres: boolean;
}): Promise<{ apis: ApiProcess[]; db: DbHandle; burst: ReturnType<typeof faultBurst> }> {
  const env = {
    DATABASE_URL: options.databaseUrl,
    SEED_ORDERS: '10',
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
    PAYMENT_PROVIDER_URL: options.providerUrl,
    REQUEST_TIMEOUT_MS: String(FAULT_REQUEST_TIMEOUT_MS),
    IDEMPOTENCY_LEASE_SECONDS: '3',
    MAINTENANCE_INTERVAL_MS: '1000',
    ...options.env,
  };
  const apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  const db = createDb({ url: options.databaseUrl, maxConnections: 2 });
  const token = await customerToken(apis[0]!.url, DEMO_ACCOUNTS.customer, DEMO_PASSWORD);
  const burst = faultBurst({
    apis,
    token,
    dish: await demoDish(db.db),
    db: db.db,
    providerUrl: options.providerUrl,
    idempotencyInPostgres: options.idempotencyInPostgres,
  });
  return { apis, db, burst };
}
