/**
 * Fuzz pass (issue 12): hostile bodies — NUL and unpaired surrogates, deep nesting, large strings,
 * `__proto__`, invalid UTF-8 bytes, random JSON — on every v2 POST (and the users PATCH) and on
 * GraphQL never get a 5xx.
 */
import { ORDER_ACTIONS } from '@quickeats/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

let t: TestApp;
let token: string;
let orderId: string;
beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 0 } });
  token = await t.tokenFor(DEMO_ACCOUNTS.customer);
  orderId = (await orderIn(t, await demoClients(t), 'pending')).id;
});
afterAll(() => t?.close());

const hostileString = fc.oneof(
  fc.string(),
  fc.string().map((s) => `${s}\u0000${s}`),
  fc.constantFrom('\uD800', 'a\uDC00b', '__proto__', 'constructor', 'x'.repeat(70_000)),
);
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(hostileString, fc.oneof(hostileString, fc.integer(), fc.constant(null)))
    .map((v) => JSON.stringify(v)),
  fc.integer({ min: 30, max: 10_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
  hostileString.map((s) =>
    JSON.stringify({
      note: s,
      reason: s,
      query: s,
      restaurantId: s,
      items: [{ menuItemId: s, quantity: 1 }],
    }),
  ),
  fc.constant('{"__proto__":{"admin":true},"reason":"x"}'),
);
const body = fc.oneof(
  hostileJson.map((text) => new TextEncoder().encode(text)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Uint8Array.from([0x7b, 0xff, 0xfe, ...bytes])),
);
const paths = [
  '/api/v2/orders',
  ...ORDER_ACTIONS.map((a) => `/api/v2/orders/ORDER/${a}`),
  '/api/v2/auth/token',
  '/graphql',
  // The one v2 write with a body that is not a POST (an admin's change of a user's access).
  'PATCH /api/v2/users/ORDER',
];

it('no hostile body on any v2 POST or GraphQL gets a 5xx', async () => {
  const statuses = new Map<number, number>();
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...paths), body, async (route, bytes) => {
      const [method, path] = route.startsWith('PATCH ') ? ['PATCH', route.slice(6)] : ['POST', route];
      const res = await t.app.request(path.replace('ORDER', orderId), {
        method,
        body: bytes,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': crypto.randomUUID(),
          'if-match': '"v1"',
        },
      });
      await res.arrayBuffer();
      cases++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 1000 },
  );
  console.log(`fuzz: ${cases} cases, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  expect(cases).toBe(1000);
});
