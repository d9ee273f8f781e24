/**
 * `pnpm bench:topology`: throughput and p99 of a read and a write scenario through the scaled-out
 * topology (HAProxy → 3 API processes → PgBouncer → primary, replica for reads) against one API
 * process straight to the same primary (reads on the same replica), then both again with the replica
 * stopped (reads fall back to the primary).
 * Printed as a Markdown table (README "Running at scale"). Sized for a 2-core machine: short windows,
 * a few connections; on a shared machine the figures say more about the load than the topology, so
 * the load average is printed with them.
 * Knobs: BENCH_SECONDS (default 8), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (8).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createDb, DEMO_ACCOUNTS, DEMO_PASSWORD, loadDemoWorld } from '@quickeats/db';
import { startApiProcess, startProviderProcess, startTopology } from '@quickeats/test-support';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

interface Row {
  path: string;
  scenario: string;
  rps: number;
  p99: number;
  errors: number;
}

async function token(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function run(
  url: string,
  seconds: number,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: request.method,
            path: request.path,
            body: request.body,
            // A write is a new order each time: a fresh Idempotency-Key per request.
            setupRequest: (req) => ({
              ...req,
              headers: {
                ...request.headers,
                ...(request.method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
              },
            }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const provider = await startProviderProcess();
const topology = await startTopology({
  apiEnv: { PAYMENT_PROVIDER_URL: provider.url, SEED_ORDERS: '2000', LOG_LEVEL: 'error' },
  log: (line) => console.info(`[topology] starting ${line}`),
});
// One API process straight to the primary (no balancer, no pooler), its reads on the same replica.
const straight = await startApiProcess({
  ...topology.apiEnv,
  DATABASE_URL: topology.urls.direct,
  DATABASE_DIRECT_URL: '',
  LOG_LEVEL: 'error',
});
const primary = createDb({ url: topology.urls.direct, maxConnections: 2 });
const dish = await loadDemoWorld(primary.db);
await primary.close();

const STRAIGHT = '1 API process straight to PostgreSQL';
const SCALED = 'HAProxy → 3 API processes → PgBouncer';
const REPLICA_ON = 'replica on';
const REPLICA_OFF = 'replica off (stopped: reads on the primary)';
const rows: Row[] = [];
try {
  const [admin, customer] = [
    await token(topology.url, DEMO_ACCOUNTS.admin),
    await token(topology.url, DEMO_ACCOUNTS.customer),
  ];
  const scenarios = {
    'read: GET /api/v2/orders?page[size]=20 (admin)': {
      method: 'GET' as const,
      path: '/api/v2/orders?page%5Bsize%5D=20',
      headers: { authorization: `Bearer ${admin}` },
    },
    'write: POST /api/v2/orders (customer)': {
      method: 'POST' as const,
      path: '/api/v2/orders',
      headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        restaurantId: dish.restaurantId,
        items: [{ menuItemId: dish.menuItemId, quantity: 1 }],
      }),
    },
  };
  const measure = async (path: string, url: string) => {
    for (const [scenario, request] of Object.entries(scenarios)) {
      await run(url, WARMUP, request);
      const r = await run(url, SECONDS, request);
      rows.push({
        path,
        scenario,
        rps: Math.round(r.requests.average),
        p99: r.latency.p99,
        errors: r.errors + r.non2xx,
      });
      console.info(JSON.stringify(rows.at(-1)));
    }
  };
  await measure(`${STRAIGHT}, ${REPLICA_ON}`, straight.url);
  await measure(`${SCALED}, ${REPLICA_ON}`, topology.url);
  await topology.replica!.stop('fast');
  await measure(`${STRAIGHT}, ${REPLICA_OFF}`, straight.url);
  await measure(`${SCALED}, ${REPLICA_OFF}`, topology.url);
} finally {
  await straight.stop();
  await topology.stop();
  await provider.stop();
}

console.info(
  [
    '',
    `${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end; ${CONNECTIONS} connections, ${SECONDS} s windows`,
    '',
    '| path | read req/s | read p99 ms | write req/s | write p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...new Set(rows.map((r) => r.path))].map((path) => {
      const [read, write] = ['read', 'write'].map((kind) =>
        rows.find((r) => r.path === path && r.scenario.startsWith(kind)),
      );
      return `| ${path} | ${read?.rps} | ${read?.p99} | ${write?.rps} | ${write?.p99} | ${(read?.errors ?? 0) + (write?.errors ?? 0)} |`;
    }),
    '',
    ...[...new Set(rows.map((r) => r.scenario))].map((s) => `- ${s}`),
  ].join('\n'),
);
process.exit(0);
