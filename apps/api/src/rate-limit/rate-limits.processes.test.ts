/**
 * The sign-in limit holds across processes: two real API processes share one Redis (through the
 * Upstash REST bridge) and one database; 20 wrong passwords sent to them alternately get 10 × 401
 * and then 429s — with Retry-After and the RateLimit fields — from both.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idempotencyStore, type StoreUnderTest } from '../testing/idempotency-store';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from '../testing/test-app';

let db: TestDatabase;
let store: StoreUnderTest;
const apis: ApiProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: { orders: 0 } });
  store = await idempotencyStore('upstash', 'rate-limit-processes');
  const env = {
    ...store.env,
    DATABASE_URL: db.url,
    PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '10',
    RATE_LIMIT_LOGIN_WINDOW_SECONDS: '3600',
  };
  apis.push(...(await Promise.all([startApiProcess(env), startApiProcess(env)])));
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await store?.close();
  await db?.close();
});

it('20 wrong passwords across 2 processes: 10 × 401, then 429 from both', async () => {
  const answers: { status: number; via: number; headers: Headers }[] = [];
  for (let i = 0; i < 20; i++) {
    const via = i % 2;
    const res = await fetch(`${apis[via]!.url}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: `wrong-${i}` }),
    });
    await res.body?.cancel();
    answers.push({ status: res.status, via, headers: res.headers });
  }
  expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
  const refused = answers.filter((a) => a.status === 429);
  expect(new Set(refused.map((a) => a.via))).toEqual(new Set([0, 1]));
  for (const { headers } of refused) {
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(headers.get('ratelimit-policy')).toBe('"login-account";q=10;w=3600');
    expect(headers.get('ratelimit')).toMatch(/^"login-account";r=0;t=\d+$/);
  }
});
