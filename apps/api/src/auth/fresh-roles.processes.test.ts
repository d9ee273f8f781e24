/**
 * Fresh roles across processes (issue 12): two real API processes on one PostgreSQL. A rider signs
 * in through each; an admin demotes the rider through process A; process B refuses the rider's
 * tokens well within 60 s (the trigger's NOTIFY wakes it; the safety poll bounds a lost one) — the
 * time it took is printed. A change written in SQL by hand reaches both processes the same way.
 */
import { DEMO_PASSWORD } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { waitFor } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiProcess, DEMO_ACCOUNTS, startApiProcess } from '../testing/test-app';

let db: TestDatabase;
const apis: ApiProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: { orders: 5 } });
  const env = {
    DATABASE_URL: db.url,
    PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
    // The default safety poll: what a lost NOTIFY would cost at most.
    AUTH_REVOCATION_POLL_MS: '10000',
  };
  apis.push(
    ...(await Promise.all([
      startApiProcess(env, { timeoutMs: 120_000 }),
      startApiProcess(env, { timeoutMs: 120_000 }),
    ])),
  );
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await db?.close();
});

async function login(api: ApiProcess, email: string): Promise<{ token: string; id: string }> {
  const res = await fetch(`${api.url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { accessToken: string; user: { id: string } };
  return { token: body.accessToken, id: body.user.id };
}

async function status(api: ApiProcess, token: string, path = '/api/v2/orders?page[size]=1'): Promise<number> {
  const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status;
}

it('an admin demotes a rider through process A: process B refuses the rider’s tokens within 60 s', async () => {
  const [a, b] = apis as [ApiProcess, ApiProcess];
  const admin = await login(a, DEMO_ACCOUNTS.admin);
  const viaA = await login(a, DEMO_ACCOUNTS.rider);
  const viaB = await login(b, DEMO_ACCOUNTS.rider);
  for (const api of apis) for (const { token } of [viaA, viaB]) expect(await status(api, token)).toBe(200);

  const started = Date.now();
  const demoted = await fetch(`${a.url}/api/v2/users/${viaA.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'customer' }),
  });
  expect(demoted.status).toBe(200);
  const answeredMs = Date.now() - started;
  // Process A applied it before answering.
  for (const { token } of [viaA, viaB]) expect(await status(a, token)).toBe(401);
  await waitFor(async () => (await status(b, viaA.token)) === 401 && (await status(b, viaB.token)) === 401, {
    intervalMs: 10,
    description: 'process B to refuse the demoted rider’s tokens',
  });
  const acrossMs = Date.now() - started;
  console.info(`demotion: answered by A in ${answeredMs} ms; refused by B ${acrossMs} ms after the request`);
  expect(acrossMs).toBeLessThan(60_000);

  // Signed in again, the user is a customer on both processes.
  const again = await login(b, DEMO_ACCOUNTS.rider);
  const me = await fetch(`${a.url}/api/v2/me`, { headers: { authorization: `Bearer ${again.token}` } });
  expect(await me.json()).toMatchObject({ role: 'customer' });
});

it('a demotion written in SQL by hand is refused by both processes within 60 s', async () => {
  const owner = await login(apis[0]!, DEMO_ACCOUNTS.owner);
  for (const api of apis) expect(await status(api, owner.token)).toBe(200);
  const started = Date.now();
  await db.db.execute(sql`update users set role = 'customer' where id = ${owner.id}`);
  await waitFor(
    async () => {
      for (const api of apis) if ((await status(api, owner.token)) !== 401) return false;
      return true;
    },
    { intervalMs: 10, description: 'both processes to refuse the demoted owner’s token' },
  );
  const elapsed = Date.now() - started;
  console.info(`SQL demotion: refused by both processes ${elapsed} ms after the commit`);
  expect(elapsed).toBeLessThan(60_000);
});
