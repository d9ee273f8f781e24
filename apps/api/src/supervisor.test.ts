/**
 * The node:cluster supervisor as real processes (supervisor.ts, main.ts): several processes on an
 * empty database all start (the seed runs once, under the migration lock); a worker killed with
 * SIGKILL is replaced while its sibling keeps answering; SIGTERM drains — a request in flight
 * finishes with its answer, then the process exits 0.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { orders } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import {
  fetchOnFreshConnection,
  freePort,
  holdTableLock,
  startProviderProcess,
  waitFor,
} from '@quickeats/test-support';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from './testing/test-app';

/** The pid of the worker that answers `/healthz` on a fresh connection (fetch would reuse one). */
const pidOf = (url: string) =>
  new Promise<number | undefined>((resolve) => {
    const req = get(`${url}/healthz`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () =>
        resolve(res.statusCode === 200 ? (JSON.parse(body) as { pid: number }).pid : undefined),
      );
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    // A connection nobody answers is a failure of the supervisor, not something to wait out.
    req.setTimeout(30_000, () => {
      req.destroy();
      resolve(-1);
    });
  });

async function login(url: string) {
  const res = await fetch(`${url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_ACCOUNTS.admin, password: 'quickeats-demo' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe('supervised API processes', () => {
  let db: TestDatabase;
  let provider: SpawnedProvider;
  const apis: ApiProcess[] = [];
  beforeAll(async () => {
    // Migrated and empty: every process finds no users and would seed.
    [db, provider] = await Promise.all([createTestDatabase(), startProviderProcess()]);
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await provider?.stop();
    await db?.close();
  });

  it('three processes started together on an empty database all start; the demo seed runs once', async () => {
    const env = { DATABASE_URL: db.url, PAYMENT_PROVIDER_URL: provider.url, SEED_ORDERS: '20' };
    apis.push(...(await Promise.all([1, 2, 3].map(() => startApiProcess(env)))));
    for (const api of apis) await login(api.url);
    // One seed's worth of data (a second seed would have died on the same deterministic ids).
    const [row] = await db.db.select({ n: count() }).from(orders);
    expect(row?.n).toBe(20);
    for (const api of apis) expect(api.output()).not.toContain('duplicate key');
  });

  it('replaces a killed worker while the other keeps serving', async () => {
    const api = await startApiProcess({
      DATABASE_URL: db.url,
      PAYMENT_PROVIDER_URL: provider.url,
      WEB_CONCURRENCY: '2',
      SEED_ORDERS: '20',
    });
    apis.push(api);
    // Both workers answer behind the one port (each accepts on the shared socket).
    const seen = new Set<number>();
    await waitFor(
      async () => {
        const pid = await pidOf(api.url);
        if (pid) seen.add(pid);
        return seen.size >= 2;
      },
      { description: 'answers from two workers', timeoutMs: 90_000 },
    );
    const [victim, survivor] = [...seen] as [number, number];
    process.kill(victim, 'SIGKILL');
    const answeredBy: (number | undefined)[] = [];
    const replacement = await waitFor(
      async () => {
        const pid = await pidOf(api.url);
        answeredBy.push(pid);
        return pid !== undefined && pid !== victim && pid !== survivor && pid !== -1 ? pid : undefined;
      },
      { description: 'a replacement worker', timeoutMs: 90_000 },
    );
    expect(replacement).not.toBe(victim);
    // Every worker, the replacement too, runs with the memory settings (issue 15).
    for (const pid of [survivor, replacement]) {
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=4');
    }
    // While the replacement started, the survivor answered; nothing hung (-1), at most the
    // connections the dying worker already held were lost.
    expect(answeredBy).not.toContain(-1);
    expect(answeredBy.filter((pid) => pid === survivor).length).toBeGreaterThan(0);
    expect(api.output()).toMatch(new RegExp(`worker ${victim} exited \\(SIGKILL\\)`));
    expect(api.child.exitCode).toBeNull();
  });

  it('SIGTERM drains: a request in flight gets its answer, then the process exits 0', async () => {
    const api = await startApiProcess({
      DATABASE_URL: db.url,
      PAYMENT_PROVIDER_URL: provider.url,
      SEED_ORDERS: '20',
    });
    const token = await login(api.url);
    const watcher = postgres(db.url, { max: 1, onnotice: () => {} });
    const lock = await holdTableLock(db.url, 'orders');
    try {
      const inFlight = fetch(`${api.url}/api/v2/orders`, { headers: { authorization: `Bearer ${token}` } });
      // The request is inside the database, waiting for the lock.
      await waitFor(
        async () => {
          const rows = await watcher`select 1 from pg_stat_activity
          where application_name = 'quickeats' and wait_event_type = 'Lock'`;
          return rows.length > 0;
        },
        { description: 'the request to wait on the lock', timeoutMs: 90_000 },
      );
      const exited = api.stop('SIGTERM');
      // Draining: the port no longer takes new connections.
      await waitFor(async () => (await pidOf(api.url)) === undefined, {
        description: 'the listener to close',
        timeoutMs: 90_000,
      });
      await lock.release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await exited).toBe(0);
    } finally {
      await lock.release();
      await watcher.end();
    }
  });

  it("serves the workers' metrics, summed, on the primary's metrics port", async () => {
    const metricsPort = await freePort();
    const api = await startApiProcess({
      DATABASE_URL: db.url,
      PAYMENT_PROVIDER_URL: provider.url,
      WEB_CONCURRENCY: '2',
      METRICS_PORT: String(metricsPort),
    });
    apis.push(api);
    // Fresh connections, so the kernel may hand them to either worker.
    for (let i = 0; i < 6; i++)
      expect((await fetchOnFreshConnection(`${api.url}/api/v2/restaurants`)).status).toBe(401);
    const total = await waitFor(
      async () => {
        const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        const counts = page
          .split('\n')
          .filter(
            (l) =>
              l.startsWith('quickeats_http_request_duration_seconds_count{') && l.includes('status="401"'),
          )
          .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
        const sum = counts.reduce((a, b) => a + b, 0);
        return sum >= 6 && sum;
      },
      { description: 'the six 401s on the metrics page' },
    );
    expect(total).toBe(6);
  });
});
