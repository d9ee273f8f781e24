/**
 * `pnpm bench:observability`: what Prometheus metrics and OpenTelemetry tracing add to a request,
 * measured in one run on the local PostgreSQL, never asserted in tests.
 *
 * Three API processes on one database — observability off, metrics on (METRICS_PORT), tracing on
 * (every request sampled, spans batched over OTLP/HTTP to a sink in this process that accepts and
 * drops them) — are sent the same requests in turn, one at a time, round-robin, so that whatever
 * else the machine does weighs on all three alike. Two operations: `GET /api/v2/orders/:id` (one
 * statement) and a keyed `POST /api/v2/orders` (a transaction of several statements). Printed with
 * p50/p90 per configuration and the p50 ratio against "off", and written to
 * bench/results/observability.md.
 *
 * Knobs: BENCH_OBSERVABILITY_REQUESTS (400 per operation and configuration), TEST_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, executeRows } from '@quickeats/db';
import { createTestDatabase } from '@quickeats/db/testing';
import { type ServiceProcess, startServiceProcess } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const N = Number(process.env.BENCH_OBSERVABILITY_REQUESTS ?? 400);
const WARMUP = 40;

/** An OTLP/HTTP endpoint that takes every export and keeps only the count of bytes. */
async function startSink(): Promise<{ url: string; bytes: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => bytes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function timed(url: string, init: RequestInit): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  const res = await fetch(url, init);
  const text = await res.text();
  return { ms: performance.now() - started, status: res.status, text };
}

async function main() {
  const db = await createTestDatabase({ seed: { orders: 200 } });
  const sink = await startSink();
  const configs = {
    off: {},
    metrics: { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' },
    tracing: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'always_on' },
  } as const;
  type Name = keyof typeof configs;
  const names = Object.keys(configs) as Name[];
  const apis = {} as Record<Name, ServiceProcess>;
  try {
    for (const name of names) {
      apis[name] = await startServiceProcess({
        name: `API (${name})`,
        cwd: `${ROOT}apps/api`,
        script: 'src/main.ts',
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          DATABASE_URL: db.url,
          AUTH_TOKEN_SECRET: randomUUID() + randomUUID(),
          OTEL_EXPORTER_OTLP_ENDPOINT: '',
          METRICS_PORT: '',
          ...configs[name],
        },
      });
    }
    const tokens = {} as Record<Name, string>;
    for (const name of names) {
      const login = await timed(`${apis[name].url}/api/v2/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD }),
      });
      tokens[name] = (JSON.parse(login.text) as { accessToken: string }).accessToken;
    }
    const [dish] = await executeRows<{ restaurant_id: string; menu_item_id: string }>(
      db.db,
      sql`select r.id as restaurant_id, m.id as menu_item_id from restaurants r
            join users u on u.id = r.owner_id join menu_items m on m.restaurant_id = r.id
           where u.email = ${DEMO_ACCOUNTS.owner} and m.available order by m.name limit 1`,
    );
    const [order] = await executeRows<{ id: string }>(
      db.db,
      sql`select o.id from orders o join users u on u.id = o.customer_id
           where u.email = ${DEMO_ACCOUNTS.customer} order by o.created_at limit 1`,
    );
    const operations = {
      'GET /api/v2/orders/:id': (name: Name) =>
        timed(`${apis[name].url}/api/v2/orders/${order!.id}`, {
          headers: { authorization: `Bearer ${tokens[name]}` },
        }),
      'POST /api/v2/orders (keyed)': (name: Name) =>
        timed(`${apis[name].url}/api/v2/orders`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens[name]}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify({
            restaurantId: dish!.restaurant_id,
            items: [{ menuItemId: dish!.menu_item_id, quantity: 1 }],
          }),
        }),
    };
    const rows: string[] = [];
    for (const [operation, send] of Object.entries(operations)) {
      const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
      for (let i = 0; i < N + WARMUP; i++) {
        // Rotate who goes first, so no configuration always follows the same one.
        for (let j = 0; j < names.length; j++) {
          const name = names[(i + j) % names.length]!;
          const { ms, status, text } = await send(name);
          if (status >= 300) throw new Error(`${operation} (${name}): ${status} ${text.slice(0, 200)}`);
          if (i >= WARMUP) samples[name].push(ms);
        }
      }
      const p50 = {} as Record<Name, number>;
      for (const name of names) {
        const sorted = samples[name].sort((a, b) => a - b);
        p50[name] = percentile(sorted, 50);
        const ratio = name === 'off' ? '1.00' : (p50[name] / p50.off).toFixed(2);
        rows.push(
          `| ${operation} | ${name} | ${p50[name].toFixed(2)} | ${percentile(sorted, 90).toFixed(2)} | ${ratio} × |`,
        );
      }
    }
    const table = [
      '| operation | observability | p50 ms | p90 ms | p50 vs off |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    const note = `${N} sequential requests per operation and configuration, round-robin across three API processes on one local PostgreSQL; tracing samples every request and exported ${(sink.bytes() / 1024).toFixed(0)} KiB of OTLP; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end, ${new Date().toISOString()}.`;
    console.log(`\n${table}\n\n${note}\n`);
    mkdirSync(`${ROOT}bench/results`, { recursive: true });
    writeFileSync(
      `${ROOT}bench/results/observability.md`,
      `# Observability overhead\n\n${table}\n\n${note}\n`,
    );
  } finally {
    for (const name of names) await apis[name]?.stop();
    await sink.close();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
