/**
 * Fresh roles and revoked tokens (issue 12), in one process on the real PostgreSQL: a demoted or
 * disabled user's old token is refused on every surface (REST v2, v1, tRPC, GraphQL, the event
 * stream) — at once when the change goes through the API, after the NOTIFY when it is written in
 * SQL by hand, after one safety poll when no NOTIFY arrives — and a token can be revoked (sign out
 * everywhere, or by an admin). The check adds no statement to a request.
 * Across processes: fresh-roles.processes.test.ts.
 */
import { DEMO_PASSWORD, users } from '@quickeats/db';
import { waitFor } from '@quickeats/test-support';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { TOKEN_MESSAGES } from './authenticate';
import { TokenRevocations } from './revocations';

let t: TestApp;
let adminToken: string;

beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 20 } });
  adminToken = await login(DEMO_ACCOUNTS.admin);
});
afterAll(() => t?.close());

/** A user of their own per test (demotions must not leak into other tests). */
async function freshUser(role: 'rider' | 'restaurant' | 'customer' = 'rider'): Promise<string> {
  const email = `fresh-${crypto.randomUUID()}@quickeats.test`;
  const [template] = await t.database.db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, DEMO_ACCOUNTS.rider));
  await t.database.db
    .insert(users)
    .values({ email, name: 'Fresh', role, passwordHash: template!.passwordHash });
  return email;
}

async function loginResponse(email: string) {
  return t.app.request('/api/v2/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
}

async function login(email: string): Promise<string> {
  const res = await loginResponse(email);
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

const userId = async (email: string) =>
  (await t.database.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;

const send = (token: string, path: string, init: RequestInit = {}) =>
  t.app.request(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });

/** The status and message of one read on each surface. */
async function everySurface(token: string) {
  const v2 = await send(token, '/api/v2/orders?page[size]=1');
  const v1 = await send(token, '/api/v1/orders?limit=1');
  const trpc = await send(
    token,
    `/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 1 }))}`,
  );
  const graphql = await send(token, '/graphql', {
    method: 'POST',
    body: JSON.stringify({ query: '{ orders(first: 1) { nodes { id } } }' }),
  });
  const stream = await send(token, '/api/v2/event-stream');
  const answers = { v2, v1, trpc, graphql, stream };
  const statuses = Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]));
  // An open stream never ends: read no body of it.
  const texts = await Promise.all(
    Object.values(answers).map(async (r) => {
      if (r !== stream || r.status !== 200) return r.text();
      await r.body?.cancel();
      return '';
    }),
  );
  return { statuses, text: texts.join('\n') };
}

const ALL_200 = { v2: 200, v1: 200, trpc: 200, graphql: 200, stream: 200 };
const ALL_401 = { v2: 401, v1: 401, trpc: 401, graphql: 401, stream: 401 };

const patchUser = (id: string, body: unknown, token = adminToken) =>
  send(token, `/api/v2/users/${id}`, { method: 'PATCH', body: JSON.stringify(body) });

describe('a role change through the API', () => {
  it('refuses the old token at once on every surface; a new sign-in carries the new role', async () => {
    const email = await freshUser('rider');
    const id = await userId(email);
    const token = await login(email);
    expect((await everySurface(token)).statuses).toEqual(ALL_200);

    const demoted = await patchUser(id, { role: 'customer' });
    expect(demoted.status).toBe(200);
    expect(await demoted.json()).toEqual({ id, email, name: 'Fresh', role: 'customer', disabled: false });

    // No wait: the answer above is sent once this process refuses the token.
    const after = await everySurface(token);
    expect(after.statuses).toEqual(ALL_401);
    expect(after.text).toContain(TOKEN_MESSAGES.revoked);

    const fresh = await login(email);
    expect(await (await send(fresh, '/api/v2/me')).json()).toMatchObject({ id, role: 'customer' });
    expect((await everySurface(fresh)).statuses).toEqual(ALL_200);
  });

  it('is an admin’s: others get 403, an unknown user 404, an empty change 400', async () => {
    const id = await userId(await freshUser('rider'));
    const riderToken = await login(await freshUser('rider'));
    expect((await patchUser(id, { role: 'admin' }, riderToken)).status).toBe(403);
    expect((await patchUser('00000000-0000-4000-8000-000000000000', { role: 'customer' })).status).toBe(404);
    const empty = await patchUser(id, {});
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await patchUser(id, { role: 'wizard' })).status).toBe(400);
    // Nothing changed: the user's role and token version are as before.
    const [row] = await t.database.db
      .select({ role: users.role, tokenVersion: users.tokenVersion })
      .from(users)
      .where(eq(users.id, id));
    expect(row).toEqual({ role: 'rider', tokenVersion: 0 });
  });
});

describe('a role change written in SQL by hand', () => {
  it('is refused once the trigger’s NOTIFY reaches the process (no API call involved)', async () => {
    const email = await freshUser('rider');
    const token = await login(email);
    expect((await send(token, '/api/v2/orders?page[size]=1')).status).toBe(200);
    const started = Date.now();
    await t.database.db.execute(sql`update users set role = 'customer' where email = ${email}`);
    await waitFor(async () => (await send(token, '/api/v2/orders?page[size]=1')).status === 401, {
      description: 'the demoted rider’s token refused',
    });
    const elapsed = Date.now() - started;
    // The NOTIFY path, well inside the 60 s (the poll is 10 s by default).
    expect(elapsed).toBeLessThan(60_000);
    expect((await everySurface(token)).statuses).toEqual(ALL_401);
  });

  it('is refused after one safety poll when no NOTIFY ever arrives', async () => {
    const email = await freshUser('rider');
    const id = await userId(email);
    // A process whose listener hears nothing: only the poll can tell it.
    const deaf = new TokenRevocations({
      db: t.database.db,
      listen: async () => async () => {},
      logger: createLogger('silent'),
      tokenTtlSeconds: 3600,
      pollIntervalMs: 200,
    });
    await deaf.start();
    try {
      expect(deaf.check(id, 0)).toBeNull();
      await t.database.db.execute(sql`update users set role = 'customer' where id = ${id}`);
      await waitFor(() => deaf.check(id, 0) === 'revoked', { description: 'the poll to see the demotion' });
      // A token issued after the change (its version) passes.
      expect(deaf.check(id, 1)).toBeNull();
    } finally {
      await deaf.close();
    }
  });
});

describe('a disabled account', () => {
  it('cannot sign in and its tokens are refused; enabled again it signs in, the old token stays refused', async () => {
    const email = await freshUser('customer');
    const id = await userId(email);
    const token = await login(email);
    const disabled = await patchUser(id, { disabled: true });
    expect(await disabled.json()).toMatchObject({ id, disabled: true });
    const after = await everySurface(token);
    expect(after.statuses).toEqual(ALL_401);
    expect(after.text).toContain(TOKEN_MESSAGES.disabled);
    const refused = await loginResponse(email);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      detail: 'This account is disabled',
    });

    expect(await (await patchUser(id, { disabled: false })).json()).toMatchObject({ disabled: false });
    expect((await everySurface(token)).statuses).toEqual(ALL_401);
    expect((await everySurface(await login(email))).statuses).toEqual(ALL_200);
  });
});

describe('revoking tokens', () => {
  it('POST /auth/revoke signs the caller out everywhere; a new sign-in works', async () => {
    const email = await freshUser('customer');
    const [phone, laptop] = [await login(email), await login(email)];
    const revoked = await send(phone, '/api/v2/auth/revoke', { method: 'POST' });
    expect(revoked.status).toBe(204);
    expect((await everySurface(phone)).statuses).toEqual(ALL_401);
    expect((await everySurface(laptop)).statuses).toEqual(ALL_401);
    expect((await send(phone, '/api/v2/auth/revoke', { method: 'POST' })).status).toBe(401);
    expect((await everySurface(await login(email))).statuses).toEqual(ALL_200);
  });

  it('an admin revokes another user’s tokens; a non-admin may not', async () => {
    const email = await freshUser('restaurant');
    const id = await userId(email);
    const token = await login(email);
    const bystander = await login(await freshUser('customer'));
    expect((await send(bystander, `/api/v2/users/${id}/revoke-tokens`, { method: 'POST' })).status).toBe(403);
    expect((await send(token, '/api/v2/orders?page[size]=1')).status).toBe(200);
    expect((await send(adminToken, `/api/v2/users/${id}/revoke-tokens`, { method: 'POST' })).status).toBe(
      204,
    );
    expect((await everySurface(token)).statuses).toEqual(ALL_401);
    expect((await send(bystander, '/api/v2/orders?page[size]=1')).status).toBe(200);
  });
});

describe('open event streams', () => {
  it('end when their token is revoked, and the reconnect is refused', async () => {
    const email = await freshUser('rider');
    const id = await userId(email);
    const token = await login(email);
    const res = await send(token, '/api/v2/event-stream');
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain(': connected');
    await patchUser(id, { role: 'customer' });
    // The stream ends (done) instead of staying open for a customer with a rider's view.
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
    }
    expect((await send(token, '/api/v2/event-stream')).status).toBe(401);
  });
});

describe('the cost on the hot path', () => {
  it('adds no statement: a GET by id is still one statement while revocations are known', async () => {
    // At least one revocation is known to this process (earlier tests), so the check did run.
    const [order] = (await (await send(adminToken, '/api/v2/orders?page[size]=1')).json()).data as {
      id: string;
    }[];
    const res = await send(adminToken, `/api/v2/orders/${order!.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sql-statements')).toBe('1');
  });
});
