/**
 * SPEC problem 4, measured where it happens — the server's own statement count per request
 * (`X-SQL-Statements`): v1's list grows by k statements per order (1 + N·k), while the v2 list
 * with every include is one statement on REST and tRPC and a fixed number (one per nesting kind)
 * on GraphQL, for 1, 20 and 100 orders alike. Each request counts its own statements only, however
 * many run at once, and counting them turns on no async hooks.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { API_DIR, scaledTimeout } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadClient, readClients } from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';
import { V1_ORDER_RELATIONS } from '../v1/legacy-relations';

const run = promisify(execFile);

const SIZES = [1, 20, 100] as const;
const GRAPHQL_FULL = `query($n: Int) { orders(first: $n) { nodes {
  id status total { amount } restaurant { name } customer { name } rider { name }
  items { quantity menuItem { name } } payment { status } events { version } } } }`;

describe('SQL statements per list request, by surface and page size', () => {
  let t: TestApp;
  let admin: ReadClient;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 300 } });
    admin = (await readClients(t)).admin;
  });
  afterAll(() => t?.close());

  async function count(
    request: () => Promise<{ status: number; statements: number; returned: number }>,
    n: number,
  ) {
    const r = await request();
    expect(r.status).toBe(200);
    expect(r.returned).toBe(n);
    return r.statements;
  }

  it('v1 costs 1 + N·k statements: it grows with every order listed', async () => {
    const counts = [];
    for (const n of SIZES) {
      counts.push(
        await count(async () => {
          const r = await admin.get(`/api/v1/orders?limit=${n}`);
          return { ...r, returned: r.body.orders.length };
        }, n),
      );
    }
    const k = V1_ORDER_RELATIONS.length;
    expect(counts).toEqual(SIZES.map((n) => 1 + n * k));
  });

  it('v2 REST with every include is one statement whatever the page size', async () => {
    for (const n of SIZES) {
      const statements = await count(async () => {
        const r = await admin.get(`/api/v2/orders?page[size]=${n}&include=${ORDER_INCLUDE_PATHS.join(',')}`);
        return { ...r, returned: r.body.data.length };
      }, n);
      expect(statements).toBe(1);
    }
  });

  it('tRPC orders.list with every include is one statement whatever the page size', async () => {
    for (const n of SIZES) {
      const input = encodeURIComponent(JSON.stringify({ include: ORDER_INCLUDE_PATHS, pageSize: n }));
      const statements = await count(async () => {
        const r = await admin.get(`/trpc/orders.list?input=${input}`);
        return { ...r, returned: r.body.result.data.items.length };
      }, n);
      expect(statements).toBe(1);
    }
  });

  it('GraphQL with every nested field costs the same fixed number for every page size', async () => {
    const counts = [];
    for (const n of SIZES) {
      counts.push(
        await count(async () => {
          const r = await admin.post('/graphql', { query: GRAPHQL_FULL, variables: { n } });
          return { ...r, returned: r.body.data.orders.nodes.length };
        }, n),
      );
    }
    // orders + restaurants + users (customers and riders share one loader) + items + menu items
    // + payments + events.
    expect(counts).toEqual([7, 7, 7]);
  });

  it('counts each request’s own statements, however many requests run at once', async () => {
    const k = V1_ORDER_RELATIONS.length;
    const v1 = (n: number) => admin.get(`/api/v1/orders?limit=${n}`);
    const v2 = () => admin.get(`/api/v2/orders?page[size]=20&include=${ORDER_INCLUDE_PATHS.join(',')}`);
    const graphql = () => admin.post('/graphql', { query: GRAPHQL_FULL, variables: { n: 20 } });
    const kinds = [
      { send: () => v1(20), statements: 1 + 20 * k },
      { send: () => v1(3), statements: 1 + 3 * k },
      { send: v2, statements: 1 },
      { send: graphql, statements: 7 },
    ];
    const sent = Array.from({ length: 24 }, (_, i) => kinds[i % kinds.length]!);
    const answers = await Promise.all(sent.map((kind) => kind.send()));
    expect(answers.map((r) => r.status)).toEqual(sent.map(() => 200));
    expect(answers.map((r) => Number(r.headers.get('x-sql-statements')))).toEqual(
      sent.map((kind) => kind.statements),
    );
  });

  it('turns on no async hooks: every promise of the process stays untracked while requests are served', async () => {
    // Node 20's AsyncLocalStorage tracks every promise of the process once any store is entered (a
    // promise hook; about 70 µs of a GET by id's ~350 µs of CPU when the statement tally was one).
    // In a process of its own: this worker runs other test files, which may have entered a store.
    // Under tsx: the service bundler cannot bundle the test helpers (they import it).
    // Awaited, not spawnSync: the test worker stays responsive while the probe runs.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/reads/async-hooks.probe.ts'], {
      cwd: API_DIR,
      timeout: scaledTimeout(120_000),
    });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(seen).toEqual({ before: false, statuses: [200, 200, 200, 200], after: false, control: true });
  });
});
