/**
 * `pnpm bench`: the read side measured end to end, in one run, on the local PostgreSQL.
 *
 * 1. a fresh database, migrated and seeded with BENCH_ORDERS (default 10,000) deterministic orders;
 * 2. the API (`apps/api/src/main.ts`) and the bare Hono + postgres.js baseline, each its own process;
 * 3. autocannon against each scenario in turn (warm-up, then a measured window), sampling the
 *    server process's resident memory meanwhile;
 * 4. one table — SQL statements per request (the server's own `X-SQL-Statements`), p50, p99,
 *    requests/s, peak RSS — printed and written to bench/results/latest.md, plus the SPEC targets.
 *
 * Sized for a 2-core machine: a few connections, short windows; about two minutes in all.
 * Live events (issue 14): commit → SSE delivery latency across two API processes and webhook
 * deliveries per second (src/live-events.ts); BENCH_LIVE_ORDERS orders (default 300) make its events.
 * Knobs: BENCH_ORDERS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS, BENCH_WRITE_CONNECTIONS,
 * TEST_DATABASE_URL.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createDb,
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  executeRows,
  insertBulkOrders,
  restaurants,
  seed,
  users,
} from '@quickeats/db';
import { startProvider } from '@quickeats/payment-provider';
import { freePort, type ServiceProcess, startServiceProcess } from '@quickeats/test-support';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import autocannon from 'autocannon';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { liveEvents } from './live-events';
import {
  describeTree,
  dishFor,
  type LoadMemory,
  listLoad,
  measureStartTree,
  payLoad,
  type StartTreeMemory,
  sampleTree,
  underLoad,
} from './memory';
import { nearLimit } from './near-limit';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
/** `--orders N` (or BENCH_ORDERS): beyond 2,000 the rest is seeded set-based (`insertBulkOrders`). */
const ORDERS = Number(flag('--orders') ?? env.BENCH_ORDERS ?? 10_000);
/** Results are written to bench/results/ only when asked (`--write`): a run never dirties the tree. */
const WRITE = argv.includes('--write') || env.BENCH_WRITE === '1';
/** `--out NAME`: the results file under bench/results/ (default latest.md; the 1M run writes million.md). */
const OUT = flag('--out') ?? 'latest.md';
/** Requests per side of the sequential (write path, list vs raw SQL) comparisons. */
const SEQUENTIAL = Number(env.BENCH_SEQUENTIAL_REQUESTS ?? 120);
/** Connections of the concurrent accept load (the SPEC's transition writes/s). */
const WRITE_CONNECTIONS = Number(env.BENCH_WRITE_CONNECTIONS ?? 8);
/** Orders created and paid for the live-events section (two events each). */
const LIVE_ORDERS = Number(env.BENCH_LIVE_ORDERS ?? 300);
const JS_SEEDED = 2_000;
const SECONDS = Number(env.BENCH_SECONDS ?? 8);
const WARMUP = Number(env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 4);
const ADMIN_URL = env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PAGE = 50;
const INCLUDE = ['restaurant', 'customer', 'rider', 'items.menuItem'];
const TOKEN_SECRET = randomBytes(32).toString('hex');
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** `--no-start-tree`: skip measuring `pnpm start`'s process tree (a build and a PGlite start). */
const START_TREE = !argv.includes('--no-start-tree');
/** The 1 / 5 / 15 min load average, noted beside every section (a shared machine). */
const loadAverage = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`;

const GRAPHQL_QUERY = `query($n: Int) { orders(first: $n) { nodes {
  id status version total { amount currency } note allowedActions createdAt updatedAt
  restaurant { id name currency } customer { id name role } rider { id name role }
  items { id name quantity unitPrice { amount currency } menuItem { id name price { amount currency } available } }
} pageInfo { hasNextPage endCursor } } }`;

type Server = ServiceProcess;

interface Scenario {
  name: string;
  server: Server;
  method?: 'GET' | 'POST';
  /** Paths cycled through by the load (one path for the lists, many order ids for get-by-id). */
  paths: string[];
  headers?: Record<string, string>;
  body?: string;
  /** Statements per request when the server cannot tell (the baseline issues exactly one). */
  knownStatements?: number;
}

interface Row {
  name: string;
  statements: string;
  p50: number;
  p99: number;
  rps: number;
  rssMb: number;
}

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Start `script` with tsx as its own process, from `dir` (where its package resolves tsx). */
function start(name: string, dir: string, script: string, extraEnv: Record<string, string>): Promise<Server> {
  return startServiceProcess({ name, cwd: ROOT + dir, script, env: { ...env, ...extraEnv } });
}

async function stop(server: Server): Promise<void> {
  await server.stop();
}

/** One request, checked, to read the server's statement count for this scenario. */
async function probe(s: Scenario): Promise<string> {
  const res = await fetch(s.server.url + s.paths[0], {
    method: s.method ?? 'GET',
    headers: s.headers,
    body: s.body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${s.name}: ${res.status} ${text.slice(0, 500)}`);
  if (s.knownStatements !== undefined) return String(s.knownStatements);
  return res.headers.get('x-sql-statements') ?? '?';
}

function load(s: Scenario, seconds: number): Promise<autocannon.Result> {
  let i = 0;
  // The callback form: autocannon's return value is a thenable instance, not a real Promise.
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: s.server.url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: s.method ?? 'GET',
            headers: s.headers,
            body: s.body,
            setupRequest: (req) => ({ ...req, path: s.paths[i++ % s.paths.length]! }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function measure(s: Scenario): Promise<Row> {
  const statements = await probe(s);
  await load(s, WARMUP);
  // The API is a node:cluster primary and its worker: the largest process of the tree is the peak.
  const sampler = sampleTree(s.server.child.pid!);
  let peak = 0;
  const result = await load(s, SECONDS).finally(() => {
    peak = sampler.stop().maxPerProcessMb;
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `${s.name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts\n${s.server.output().slice(-2000)}`,
    );
  }
  const row = {
    name: s.name,
    statements,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    rssMb: peak,
  };
  console.log(
    `  ${row.name}: ${row.statements} stmt/req, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.rps.toFixed(0)} req/s, RSS ${row.rssMb.toFixed(0)} MB`,
  );
  return row;
}

function average(runs: Row[]): Row {
  const mean = (pick: (r: Row) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  return {
    name: runs[0]!.name,
    statements: runs[0]!.statements,
    p50: Math.round(mean((r) => r.p50) * 10) / 10,
    p99: Math.round(mean((r) => r.p99) * 10) / 10,
    rps: mean((r) => r.rps),
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
  };
}

const memoryTarget = (label: string, mb: number, limit: number) =>
  `- ${mb <= limit ? '✓' : '✗'} ${label}: ${mb.toFixed(0)} MB (target ≤ ${limit} MB)`;

function table(rows: Row[]): string {
  const lines = [
    '| scenario | SQL statements / request | p50 (ms) | p99 (ms) | requests/s | largest server process, RSS peak (MB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.statements} | ${r.p50} | ${r.p99} | ${r.rps.toFixed(0)} | ${r.rssMb.toFixed(0)} |`,
    ),
  ];
  return lines.join('\n');
}

async function main() {
  const started = Date.now();
  const dbName = `qe_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = withDatabase(ADMIN_URL, dbName);
  const servers: Server[] = [];
  let provider: Awaited<ReturnType<typeof startProvider>> | undefined;
  let bridge: UpstashBridge | undefined;
  try {
    console.log(`Seeding ${ORDERS} orders into ${dbName} …`);
    const handle = createDb({ url });
    await handle.migrate();
    const summary = await seed(handle.db, { orders: Math.min(ORDERS, JS_SEEDED) });
    if (ORDERS > JS_SEEDED) {
      // The demo owner's restaurant keeps its few seeded orders: the small restaurant whose list
      // must not grow with the table.
      const owned = await handle.db
        .select({ id: restaurants.id })
        .from(restaurants)
        .innerJoin(users, eq(users.id, restaurants.ownerId))
        .where(eq(users.email, DEMO_ACCOUNTS.owner));
      const t0 = Date.now();
      await insertBulkOrders(handle.db, {
        orders: ORDERS - JS_SEEDED,
        exceptRestaurantIds: owned.map((r) => r.id),
      });
      summary.orders = ORDERS;
      console.log(`  set-based: ${ORDERS - JS_SEEDED} orders in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const [adminUser] = await executeRows<{ id: string }>(
      handle.db,
      sql`select id from users where email = ${DEMO_ACCOUNTS.admin}`,
    );
    const orderIds = (
      await executeRows<{ id: string }>(handle.db, sql`select id from orders order by id limit 500`)
    ).map((r) => r.id);
    await executeRows(handle.db, sql`analyze`);
    await handle.close();
    console.log(
      `  ${summary.orders} orders, ${summary.events} events, ${summary.payments} payments, ${summary.users} users`,
    );

    // The API as deployed: the production bundle (`pnpm --filter @quickeats/api build`), not tsx.
    execFileSync('pnpm', ['--filter', '@quickeats/api', 'build'], { cwd: ROOT, stdio: 'ignore' });
    provider = await startProvider({ port: 0 });
    const apiOptions = {
      name: 'API',
      cwd: `${ROOT}apps/api`,
      script: 'dist/main.mjs',
      tsx: false,
      env: {
        ...env,
        // The production bundle, but not NODE_ENV=production: production refuses
        // EXPOSE_SQL_STATEMENTS, whose per-request counts this table reports.
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        PAYMENT_PROVIDER_URL: provider.url,
        DATABASE_URL: url,
        AUTH_TOKEN_SECRET: TOKEN_SECRET,
        LOG_LEVEL: 'warn',
        EXPOSE_SQL_STATEMENTS: 'true',
        // The bench writes as a handful of users, far faster than people: the write limit is not measured.
        RATE_LIMIT_WRITES_PER_USER: '0',
      },
    };
    const api = await startServiceProcess(apiOptions);
    servers.push(api);
    // The same bundle on the Upstash idempotency store, through the in-repo bridge to Redis.
    bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
    const upstashApi = await startServiceProcess({
      ...apiOptions,
      name: 'API (Upstash store)',
      env: {
        ...apiOptions.env,
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: bridge.token,
        IDEMPOTENCY_REDIS_PREFIX: `qe-bench:${dbName}:`,
      },
    });
    servers.push(upstashApi);
    const bare = await start('bare', 'bench', 'src/bare-server.ts', {
      DATABASE_URL: url,
      BENCH_ACTOR_ID: adminUser!.id,
    });
    servers.push(bare);

    // Resident memory before any load: the floor each process starts from (the API runs its
    // production bundle; the bare baseline runs under tsx, whose loader thread is part of its RSS).
    const idleRss = { api: sampleTree(api.child.pid!).stop().maxPerProcessMb, bare: rssMb(bare.child.pid) };

    const login = await fetch(`${api.url}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.admin, password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };

    const trpcInput = encodeURIComponent(JSON.stringify({ include: INCLUDE, pageSize: PAGE }));
    const lists: Scenario[] = [
      {
        name: `v1 GET /api/v1/orders?limit=${PAGE}`,
        server: api,
        paths: [`/api/v1/orders?limit=${PAGE}`],
        headers: auth,
      },
      {
        name: `v2 REST GET /api/v2/orders?page[size]=${PAGE}&include=${INCLUDE.join(',')}`,
        server: api,
        paths: [`/api/v2/orders?page[size]=${PAGE}&include=${INCLUDE.join(',')}`],
        headers: auth,
      },
      {
        name: 'tRPC orders.list (same include)',
        server: api,
        paths: [`/trpc/orders.list?input=${trpcInput}`],
        headers: auth,
      },
      {
        name: 'GraphQL orders(first: 50) { … same relations }',
        server: api,
        method: 'POST',
        paths: ['/graphql'],
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ query: GRAPHQL_QUERY, variables: { n: PAGE } }),
      },
      {
        name: `bare Hono + postgres.js: minimal SELECT of ${PAGE} orders`,
        server: bare,
        paths: [`/orders?size=${PAGE}`],
        knownStatements: 1,
      },
    ];
    const byId: Scenario[] = [
      {
        name: 'v2 REST GET /api/v2/orders/:id',
        server: api,
        paths: orderIds.map((id) => `/api/v2/orders/${id}`),
        headers: auth,
      },
      {
        name: 'bare Hono + postgres.js: the same single-order SELECT',
        server: bare,
        paths: orderIds.map((id) => `/orders/${id}`),
        knownStatements: 1,
      },
    ];

    console.log(
      `Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s measured per scenario, ${cpus().length} cores`,
    );
    const loads: string[] = [`lists: ${loadAverage()}`];
    const listRows: Row[] = [];
    for (const s of lists) listRows.push(await measure(s));
    // The throughput ratio is the sharpest target, and a shared 2-core machine drifts: run the
    // pair twice, interleaved (A B A B), and average, so a drift does not favour one side.
    const rounds: Row[][] = [[], []];
    for (let round = 0; round < 2; round++)
      for (const [i, s] of byId.entries()) rounds[i]!.push(await measure(s));
    const idRows = rounds.map(average);
    loads.push(`one order: ${loadAverage()}`);

    // Resident memory of the production bundle's processes (the primary and its worker) under the
    // concurrent list and pay loads, SPEC ≤ 200 MB per process: a fresh API process (the one above
    // has served every scenario, v1 and GraphQL included — its peak is in the tables' last column).
    console.log('Memory of the production bundle under the list and pay loads (a fresh API process) …');
    const memApi = await startServiceProcess({ ...apiOptions, name: 'API (memory)' });
    servers.push(memApi);
    const customerToken = await fetch(`${memApi.url}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD }),
    }).then(async (r) => ((await r.json()) as { accessToken: string }).accessToken);
    const bundleList = await underLoad(memApi.child.pid!, () =>
      listLoad({ url: memApi.url, token: accessToken, seconds: SECONDS, connections: CONNECTIONS }),
    );
    const dish = await dishFor(memApi.url, customerToken);
    const bundlePay = await underLoad(memApi.child.pid!, () =>
      payLoad({ url: memApi.url, customerToken, ...dish, seconds: SECONDS, connections: CONNECTIONS }),
    );
    await memApi.stop();
    loads.push(`bundle memory: ${loadAverage()}`);

    console.log(`Sequential comparisons, ${SEQUENTIAL} requests a side …`);
    const raw = postgres(url, { max: 1, onnotice: () => {} });
    const near = await nearLimit(
      api.url,
      bare.url,
      raw,
      SEQUENTIAL,
      {
        api: upstashApi.url,
        restCalls: () => bridge!.requests(),
      },
      { dbUrl: url, connections: WRITE_CONNECTIONS, seconds: SECONDS },
    ).finally(() => raw.end());
    loads.push(`sequential comparisons: ${loadAverage()}`);

    // Changes through the first process, the subscriber and the webhook workers on both.
    console.log(`Live events: ${LIVE_ORDERS} orders created and paid through one process …`);
    const live = await liveEvents({
      writeUrl: api.url,
      streamUrl: upstashApi.url,
      adminToken: accessToken,
      customerToken,
      ...dish,
      orders: LIVE_ORDERS,
      concurrency: CONNECTIONS,
    });
    const liveLoad = loadAverage();
    loads.push(`live events: ${liveLoad}`);

    // `pnpm start`'s tree, alone: the bench's own servers are idle by now.
    let startTree: StartTreeMemory | undefined;
    if (START_TREE) {
      console.log('Memory of the `pnpm start` tree (embedded PGlite, first start) …');
      startTree = await measureStartTree({
        root: ROOT,
        port: await freePort(),
        seconds: SECONDS,
        connections: CONNECTIONS,
        accounts: { admin: DEMO_ACCOUNTS.admin, customer: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD },
      });
      loads.push(`pnpm start tree: ${loadAverage()}`);
    }
    const memoryRow = (what: string, m: LoadMemory) =>
      `| ${what} | ${m.requests} (${m.non2xx} non-2xx) | ${m.memory.maxPerProcessMb.toFixed(0)} | ${m.memory.treeMb.toFixed(0)} | ${describeTree(m.memory)} |`;
    const memoryLines = [
      `## Resident memory (RSS peaks, sampled every 200 ms from /proc; ${CONNECTIONS} connections, ${SECONDS} s per load)`,
      '',
      '| what | requests | largest process (MB) | tree sum (MB) | per process (MB) |',
      '| --- | ---: | ---: | ---: | --- |',
      memoryRow('production bundle (fresh process), list load (v2 list, every include)', bundleList),
      memoryRow(
        'production bundle (same process, after the list load), pay load (create + pay, keyed)',
        bundlePay,
      ),
      ...(startTree
        ? [
            `| \`pnpm start\`, a few seconds after its banner (first start: ${startTree.startSeconds.toFixed(0)} s) | — | ${startTree.afterStart.maxPerProcessMb.toFixed(0)} | ${startTree.afterStart.treeMb.toFixed(0)} | ${describeTree(startTree.afterStart)} |`,
            memoryRow('`pnpm start`, list load', startTree.list),
            memoryRow('`pnpm start`, pay load', startTree.pay),
          ]
        : []),
      '',
      ...(startTree
        ? [
            `The \`pnpm start\` tree is everything under the \`pnpm\` process the README's command starts (pnpm, sh, the supervisor hosting the fake provider, the worker with PGlite). Its peak over the whole first start — a new embedded directory initialised, migrated and seeded by a short-lived process of its own — was ${startTree.startPeakMb.toFixed(0)} MB.`,
            '',
          ]
        : []),
    ];

    const [v1, v2] = listRows;
    const [get, bareGet] = idRows;
    const p50Ratio = v2!.p50 / v1!.p50;
    const rpsRatio = get!.rps / bareGet!.rps;
    const report = [
      '# Read-side benchmark',
      '',
      `${new Date().toISOString()} · ${ORDERS} seeded orders · node ${process.version} · ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, shared with other engineers' tests · ` +
        `autocannon ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP} s warm-up · ` +
        'API and baseline each in their own process (API: production bundle, NODE_ENV=test for the statement counts, LOG_LEVEL=warn) · admin token (sees every order) · ' +
        `load average at the end ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} (1 / 5 / 15 min; a shared machine: compare rows of one run, not runs)`,
      '',
      '## Lists (50 orders with restaurant, customer, rider, items and menu items)',
      '',
      table(listRows),
      '',
      '## One order (each side measured twice, interleaved, averaged)',
      '',
      table(idRows),
      '',
      ...near.lines,
      '## Live events (commit → SSE across processes; webhook deliveries)',
      '',
      `${live.events} events (${LIVE_ORDERS} orders created and paid, ${CONNECTIONS} at a time) committed through one API process, received by an admin SSE subscriber on the other; latency from each event's \`occurredAt\` (taken in the writing transaction, so at or before its commit) to its arrival. Webhooks: the ${live.deliveries} deliveries held for a paused endpoint (a local receiver answering 204), from resume until the last distinct \`webhook-id\` arrived, both processes' workers (WEBHOOK_CONCURRENCY ${env.WEBHOOK_CONCURRENCY ?? 20} each). ${liveLoad}.`,
      '',
      '| what | p50 (ms) | p99 (ms) | max (ms) | deliveries/s |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| commit → SSE delivery, other process | ${live.p50Ms} | ${live.p99Ms} | ${live.maxMs} | — |`,
      `| webhook deliveries (${live.deliveries} in ${live.deliverySeconds.toFixed(1)} s) | — | — | — | ${live.deliveriesPerSecond.toFixed(0)} |`,
      '',
      ...memoryLines,
      '## Targets',
      '',
      `- v2 list statements constant in page size: ${v2!.statements} per request (v1: ${v1!.statements} for ${PAGE} orders).`,
      `- ${p50Ratio <= 0.2 ? '✓' : '✗'} v2 list p50 / v1 list p50 = ${p50Ratio.toFixed(3)} (target ≤ 0.2).`,
      `- ${rpsRatio >= 0.8 ? '✓' : '✗'} GET /api/v2/orders/:id throughput / bare baseline = ${rpsRatio.toFixed(2)} (target ≥ 0.8).`,
      ...near.targets,
      `- ${live.p50Ms <= 50 ? '✓' : '✗'} commit → SSE delivery across processes p50 = ${live.p50Ms} ms (target ≤ 50 ms).`,
      `- ${live.p99Ms <= 250 ? '✓' : '✗'} commit → SSE delivery across processes p99 = ${live.p99Ms} ms (target ≤ 250 ms).`,
      `- Webhook deliveries: ${live.deliveriesPerSecond.toFixed(0)}/s (no target).`,
      memoryTarget(
        'production bundle, largest process under the list load',
        bundleList.memory.maxPerProcessMb,
        200,
      ),
      memoryTarget(
        'production bundle, largest process under the pay load',
        bundlePay.memory.maxPerProcessMb,
        200,
      ),
      ...(startTree
        ? [
            memoryTarget('`pnpm start` tree after start', startTree.afterStart.treeMb, 400),
            memoryTarget('`pnpm start` tree under the list load', startTree.list.memory.treeMb, 400),
            memoryTarget('`pnpm start` tree under the pay load', startTree.pay.memory.treeMb, 400),
          ]
        : []),
      `- At start, before load: API ${idleRss.api.toFixed(0)} MB (largest process: its worker), baseline ${idleRss.bare.toFixed(0)} MB.`,
      '',
      `Load average (1 / 5 / 15 min) after each part: ${loads.join('; ')}.`,
      '',
      `Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
    ].join('\n');
    console.log(`\n${report}`);
    const dir = `${ROOT}bench/results`;
    if (WRITE) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${OUT}`, report);
      console.log(`Written to bench/results/${OUT}`);
    } else console.log(`Not written (pass --write to update bench/results/${OUT}).`);
  } finally {
    await Promise.all(servers.map(stop));
    await bridge?.close();
    await provider?.close();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
