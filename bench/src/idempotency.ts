/**
 * `pnpm bench:idempotency`: what the Idempotency-Key layer adds to a request's latency, measured in
 * one run on the local PostgreSQL (and Redis, for the Upstash store), never asserted in tests.
 *
 * The operation is `POST /api/v2/orders/:id/accept` — an ordinary transition that calls no payment
 * provider, and whose key is optional — sent with and without a key, alternating one request of
 * each, one at a time (so latency is the request's, not a queue's), against the API as its own
 * process. Per store: p50/p90/p99 of each, the p50 difference, the SQL statements each issued,
 * and the p50 of a replay (the same keyed request sent again). Printed, and written to
 * bench/results/idempotency.md with `--write`.
 *
 * Knobs: BENCH_IDEMPOTENCY_REQUESTS (300 of each), TEST_DATABASE_URL, REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, executeRows } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type ServiceProcess, startServiceProcess } from '@quickeats/test-support';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import { sql } from 'drizzle-orm';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const N = Number(process.env.BENCH_IDEMPOTENCY_REQUESTS ?? 300);
const WARMUP = 30;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Api = ServiceProcess;

function startApi(extraEnv: Record<string, string>): Promise<Api> {
  return startServiceProcess({
    name: 'API',
    cwd: `${ROOT}apps/api`,
    script: 'src/main.ts',
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      EXPOSE_SQL_STATEMENTS: 'true',
      // One user writes hundreds of times a minute here: the store is measured, not the write limit.
      RATE_LIMIT_WRITES_PER_USER: '0',
      ...extraEnv,
    },
  });
}

async function stopApi(api: Api): Promise<void> {
  await api.stop();
}

async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function post(
  url: string,
  path: string,
  token: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const started = performance.now();
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 300)}`);
  return {
    ms,
    text,
    statements: Number(res.headers.get('x-sql-statements')),
    replayed: res.headers.get('idempotent-replayed'),
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fmt = (ms: number) => ms.toFixed(2);

interface StoreResult {
  store: string;
  without: number[];
  withKey: number[];
  replay: number[];
  statementsWithout: number;
  statementsWith: number;
  statementsReplay: number;
}

async function measure(
  db: TestDatabase,
  store: 'postgres' | 'upstash',
  bridge?: UpstashBridge,
): Promise<StoreResult> {
  const api = await startApi({
    DATABASE_URL: db.url,
    ...(bridge
      ? {
          UPSTASH_REDIS_REST_URL: bridge.url,
          UPSTASH_REDIS_REST_TOKEN: bridge.token,
          IDEMPOTENCY_REDIS_PREFIX: `qe-bench:${randomUUID()}:`,
        }
      : {}),
  });
  try {
    const customer = await login(api.url, DEMO_ACCOUNTS.customer);
    const owner = await login(api.url, DEMO_ACCOUNTS.owner);
    const [dish] = await executeRows<{ restaurant_id: string; menu_item_id: string }>(
      db.db,
      sql`select r.id as restaurant_id, m.id as menu_item_id from restaurants r
            join users u on u.id = r.owner_id join menu_items m on m.restaurant_id = r.id
           where u.email = ${DEMO_ACCOUNTS.owner} and m.available order by m.name limit 1`,
    );
    // Paid orders to accept: created and paid through the API (the fake provider it started).
    const total = 2 * (N + WARMUP);
    const paid: string[] = [];
    for (let i = 0; i < total; i++) {
      const created = await post(
        api.url,
        '/api/v2/orders',
        customer,
        { 'idempotency-key': randomUUID() },
        {
          restaurantId: dish!.restaurant_id,
          items: [{ menuItemId: dish!.menu_item_id, quantity: 1 }],
        },
      );
      const id = (JSON.parse(created.text) as { data: { id: string } }).data.id;
      await post(api.url, `/api/v2/orders/${id}/pay`, customer, {
        'idempotency-key': randomUUID(),
        'if-match': '"v1"',
      });
      paid.push(id);
    }

    const result: StoreResult = {
      store,
      without: [],
      withKey: [],
      replay: [],
      statementsWithout: 0,
      statementsWith: 0,
      statementsReplay: 0,
    };
    for (let i = 0; i < N + WARMUP; i++) {
      const a = paid[2 * i]!;
      const b = paid[2 * i + 1]!;
      const key = randomUUID();
      const accept = (id: string, headers: Record<string, string>) =>
        post(api.url, `/api/v2/orders/${id}/accept`, owner, { 'if-match': '"v2"', ...headers });
      // Alternate which goes first, so neither variant always meets a warmer connection or cache.
      const [without, withKey] =
        i % 2 === 0
          ? [await accept(a, {}), await accept(b, { 'idempotency-key': key })]
          : await (async () => {
              const k = await accept(b, { 'idempotency-key': key });
              return [await accept(a, {}), k] as const;
            })();
      const replay = await accept(b, { 'idempotency-key': key });
      if (replay.replayed !== 'true' || replay.text !== withKey.text) throw new Error('replay differs');
      if (i < WARMUP) continue;
      result.without.push(without.ms);
      result.withKey.push(withKey.ms);
      result.replay.push(replay.ms);
      result.statementsWithout = without.statements;
      result.statementsWith = withKey.statements;
      result.statementsReplay = replay.statements;
    }
    return result;
  } finally {
    await stopApi(api);
  }
}

async function main() {
  console.log(`idempotency overhead: ${N} requests of each kind per store, ${cpus().length} CPUs`);
  const results: StoreResult[] = [];
  for (const store of ['postgres', 'upstash'] as const) {
    const db = await createTestDatabase({ seed: { orders: 0 } });
    const bridge = store === 'upstash' ? await startUpstashBridge({ redisUrl: REDIS_URL }) : undefined;
    try {
      results.push(await measure(db, store, bridge));
    } finally {
      await bridge?.close();
      await db.close();
    }
  }
  const lines = [
    `# Idempotency-Key overhead (\`pnpm bench:idempotency\`, ${new Date().toISOString()})`,
    '',
    `\`POST /api/v2/orders/:id/accept\`, ${N} sequential requests of each kind per store, alternating; one API process on the local PostgreSQL; ${cpus().length} CPUs.`,
    '',
    '| store | without key p50 / p90 / p99 (ms) | with key p50 / p90 / p99 (ms) | added p50 (ms) | replay p50 (ms) | SQL statements without / with / replay |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.store} | ${fmt(percentile(r.without, 50))} / ${fmt(percentile(r.without, 90))} / ${fmt(percentile(r.without, 99))} | ` +
        `${fmt(percentile(r.withKey, 50))} / ${fmt(percentile(r.withKey, 90))} / ${fmt(percentile(r.withKey, 99))} | ` +
        `${fmt(percentile(r.withKey, 50) - percentile(r.without, 50))} | ${fmt(percentile(r.replay, 50))} | ` +
        `${r.statementsWithout} / ${r.statementsWith} / ${r.statementsReplay} |`,
    ),
    '',
  ];
  const report = lines.join('\n');
  console.log(report);
  // Like `pnpm bench`: the tree stays clean unless the results are asked for.
  if (process.argv.includes('--write') || process.env.BENCH_WRITE === '1') {
    mkdirSync(`${ROOT}bench/results`, { recursive: true });
    writeFileSync(`${ROOT}bench/results/idempotency.md`, report);
  } else console.log('Not written (pass --write to update bench/results/idempotency.md).');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
