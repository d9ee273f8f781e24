/**
 * SPEC problem 4, measured where it happens — the server's own statement count per request
 * (`X-SQL-Statements`): v1's list grows by k statements per order (1 + N·k), while the v2 list
 * with every include is one statement on REST and tRPC and a fixed number (one per nesting kind)
 * on GraphQL, for 1, 20 and 100 orders alike.
 */
import { ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadClient, readClients } from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';
import { V1_ORDER_RELATIONS } from '../v1/legacy-relations';

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
});
