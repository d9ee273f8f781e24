/**
 * GraphQL bounds (issue 12): alias, cost, depth, token and directive bombs are refused with a
 * 400-class GraphQL error before anything executes (0 SQL statements, process memory flat), a
 * request without a token is refused before yoga parses a byte, and unexpected resolver errors are
 * logged once per request without SQL parameters.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { GRAPHQL_LIMITS } from './limits';

const PAGE =
  'orders(first: 100) { nodes { id status total { amount } restaurant { name menuItems { name price { amount } } } ' +
  'customer { name } rider { name } items { name menuItem { name } } payment { status } events { action } } }';

const BOMBS: Record<string, { query: string; code: string }> = {
  'alias bomb: 200 aliased pages of 100 orders with relations (over the token bound)': {
    query: `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: ${PAGE}`).join(' ')} }`,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  'alias bomb within the token bound: 100 aliased pages of ids': {
    query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: orders(first: 1) { nodes { id } }`).join(' ')} }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  'cost bomb: 8 aliased pages of 100 orders with relations': {
    query: `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: ${PAGE}`).join(' ')} }`,
    code: 'QUERY_TOO_COSTLY',
  },
  'depth bomb: 10,000 nested selections': {
    query: `{${'a{'.repeat(10_000)}b${'}'.repeat(10_000)}}`,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  'depth bomb within the token bound': {
    query: `{ orders { nodes { ${'items { menuItem { '.repeat(6)}id${' } }'.repeat(6)} } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  'token bomb: 5,000 × __typename': {
    query: `{ ${'__typename '.repeat(5000)} }`,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  'directive bomb: 100 × @include': {
    query: `{ orders { nodes { id ${'@include(if: true) '.repeat(100)} } } }`,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
};

let t: TestApp;
let token: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  t = await createTestApp({ seed: { orders: 120 }, logger: pino({ level: 'error' }, sink) });
  token = await t.tokenFor(DEMO_ACCOUNTS.admin);
});
afterAll(() => t?.close());

const gql = (query: string, authorization: string | null = `Bearer ${token}`) =>
  t.app.request('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });

describe('GraphQL bounds', () => {
  it('one page of 100 orders with every relation is within every bound', async () => {
    const res = await gql(`{ ${PAGE} }`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { orders: { nodes: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.orders.nodes).toHaveLength(100);
  });

  it.each(Object.entries(BOMBS))('%s → 400, nothing executed, memory flat', async (_name, bomb) => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const res = await gql(bomb.query);
    const body = (await res.json()) as {
      data?: unknown;
      errors: { message: string; extensions?: { code?: string } }[];
    };
    const grown = process.memoryUsage().rss - before;
    expect(res.status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e) => e.extensions?.code)).toContain(bomb.code);
    expect(res.headers.get('x-sql-statements')).toBe('0');
    expect(grown).toBeLessThan(20 * 1024 * 1024);
  });

  it('prices a page by first: a variable is priced at the largest page', async () => {
    const costly = `query($n: Int) { a: ${PAGE.replace('first: 100', 'first: $n')} b: ${PAGE.replace('first: 100', 'first: $n')} }`;
    const res = await t.app.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: costly, variables: { n: 1 } }),
    });
    expect(res.status).toBe(400);
    const small = await gql(
      `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ${PAGE.replace('first: 100', 'first: 5')}`).join(' ')} }`,
    );
    expect(small.status).toBe(200);
    expect(GRAPHQL_LIMITS.maxCost).toBeGreaterThan(0);
  });

  it('a 30 KB nested query without a token is a 401, before any parsing', async () => {
    const res = await gql(BOMBS['depth bomb: 10,000 nested selections']!.query, null);
    expect(res.status).toBe(401);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('logs unexpected resolver errors once per request, without SQL parameters', async () => {
    // Break the payments loader: each of the 20 orders fails its (nullable) `payment` field.
    await t.database.db.execute('alter table payments rename to payments_gone' as never);
    try {
      lines.length = 0;
      const res = await gql('{ orders(first: 20) { nodes { id payment { status } } } }');
      const body = (await res.json()) as { errors: { message: string }[] };
      expect(body.errors.length).toBe(20);
      expect(body.errors[0]!.message).toBe('Unexpected error.');
      const logged = lines.filter((l) => l.msg === 'unhandled GraphQL errors');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ errorCount: 20 });
      expect(JSON.stringify(lines)).not.toMatch(/"parameters"/);
    } finally {
      await t.database.db.execute('alter table payments_gone rename to payments' as never);
    }
  });
});
