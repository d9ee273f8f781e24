/**
 * `/graphql` on the real PostgreSQL: batched loading keeps the statement count the same for page
 * sizes 1, 20 and 100 however deep the query; visibility is REST's; no token executes nothing.
 */
import { canView } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOrders, type OrderFacts, type ReadClients, readClients } from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

const FULL_QUERY = /* GraphQL */ `
  query Orders($first: Int, $after: String, $filter: OrderFilter) {
    orders(first: $first, after: $after, filter: $filter) {
      nodes {
        id status version allowedActions total { amount currency }
        restaurant { id name menuItems { id name } }
        customer { id name role }
        rider { id name }
        items { id quantity unitPrice { amount } menuItem { id name price { amount } } }
        payment { status amount { amount } }
        events { version action toStatus }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('GraphQL /graphql', () => {
  let t: TestApp;
  let c: ReadClients;
  let orders: OrderFacts[];
  const gql = (role: keyof ReadClients, query: string, variables: Record<string, unknown> = {}) =>
    c[role].post('/graphql', { query, variables });
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 250 } });
    c = await readClients(t);
    orders = await allOrders(t);
  });
  afterAll(() => t?.close());

  it('the same statement count for 1, 20 and 100 orders with every nested field (one per nesting kind)', async () => {
    const counts: number[] = [];
    for (const first of [1, 20, 100]) {
      const res = await gql('admin', FULL_QUERY, { first });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.orders.nodes).toHaveLength(first);
      counts.push(res.statements);
    }
    // orders page + restaurants + users + menus + items + payments + events + menu items.
    expect(counts).toEqual([8, 8, 8]);
  });

  it('resolves nested objects consistently with the order’s own ids', async () => {
    const res = await gql('admin', FULL_QUERY, { first: 50 });
    const nodes = res.body.data.orders.nodes as {
      id: string;
      version: number;
      rider: { id: string } | null;
      items: { menuItem: { id: string } }[];
      events: { version: number }[];
    }[];
    for (const node of nodes) {
      const fact = orders.find((o) => o.id === node.id)!;
      expect(node.rider?.id ?? null).toBe(fact.rider_id);
      expect(node.events.map((e) => e.version)).toEqual(
        Array.from({ length: node.version }, (_, i) => i + 1),
      );
      expect(node.items.length).toBeGreaterThan(0);
    }
    expect(nodes.map((n) => n.id)).toEqual(orders.slice(0, 50).map((o) => o.id));
  });

  it('applies REST’s visibility to every role, and hides other customers’ orders from order(id)', async () => {
    for (const role of ['customer', 'owner', 'rider'] as const) {
      const res = await gql(role, '{ orders(first: 100) { nodes { id } pageInfo { hasNextPage } } }');
      const expected = orders
        .filter((o) =>
          canView(
            {
              status: o.status as never,
              customerId: o.customer_id,
              restaurantOwnerId: o.owner_id,
              riderId: o.rider_id,
            },
            c[role].actor,
          ),
        )
        .slice(0, 100)
        .map((o) => o.id);
      expect(
        res.body.data.orders.nodes.map((n: { id: string }) => n.id),
        role,
      ).toEqual(expected);
    }
    const theirs = orders.find((o) => o.customer_id === c.customer2.actor.userId)!;
    const hidden = await gql('customer', 'query($id: ID!) { order(id: $id) { id } }', { id: theirs.id });
    expect(hidden.body.data.order).toBeNull();
    const own = await gql('customer2', 'query($id: ID!) { order(id: $id) { id customer { id } } }', {
      id: theirs.id,
    });
    expect(own.body.data.order).toEqual({ id: theirs.id, customer: { id: c.customer2.actor.userId } });
  });

  it('pages with after/endCursor and filters like REST', async () => {
    const first = await gql('admin', FULL_QUERY, { first: 10, filter: { status: ['delivered'] } });
    const next = await gql('admin', FULL_QUERY, {
      first: 10,
      after: first.body.data.orders.pageInfo.endCursor,
      filter: { status: ['delivered'] },
    });
    const ids = [...first.body.data.orders.nodes, ...next.body.data.orders.nodes].map(
      (n: { id: string }) => n.id,
    );
    expect(ids).toEqual(
      orders
        .filter((o) => o.status === 'delivered')
        .slice(0, 20)
        .map((o) => o.id),
    );
  });

  it('401 without a valid token, and nothing is executed', async () => {
    for (const authorization of [undefined, 'Bearer not-a-token']) {
      const res = await t.app.request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: '{ orders { nodes { id } } }' }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-sql-statements')).toBe('0');
      const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(body.data).toBeUndefined();
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('reports domain errors with their stable code and masks everything else', async () => {
    const tooBig = await gql('admin', '{ orders(first: 101) { nodes { id } } }');
    expect(tooBig.body.errors[0].extensions).toMatchObject({
      code: 'PAGE_SIZE_TOO_LARGE',
      meta: { page: { maxSize: 100 } },
    });
    const badCursor = await gql('admin', '{ orders(after: "x") { nodes { id } } }');
    expect(badCursor.body.errors[0].extensions.code).toBe('INVALID_CURSOR');
    const unknownField = await gql('admin', '{ orders { nodes { passwordHash } } }');
    expect(unknownField.body.errors[0].message).toContain('passwordHash');
    expect(JSON.stringify(unknownField.body)).not.toMatch(/select|stack/i);
  });

  it('serves restaurants with menus through one batched menu load', async () => {
    const res = await gql(
      'rider',
      '{ restaurants(first: 5) { nodes { name menuItems { name price { amount } } } } }',
    );
    const nodes = res.body.data.restaurants.nodes as { name: string; menuItems: unknown[] }[];
    expect(nodes).toHaveLength(5);
    for (const n of nodes) expect(n.menuItems).toHaveLength(8);
    expect(res.statements).toBe(2);
  });
});
