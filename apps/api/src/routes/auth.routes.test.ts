import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../auth/token';
import { createTestApp, DEMO_ACCOUNTS, TEST_TOKEN_SECRET, type TestApp } from '../testing/test-app';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('POST /api/v2/auth/token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
  });
  afterAll(() => t?.close());

  it('issues a bearer token for a seeded user that the API then accepts', async () => {
    const res = await t.app.request(
      '/api/v2/auth/token',
      json({ email: DEMO_ACCOUNTS.owner, password: 'quickeats-demo' }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; tokenType: string; user: { role: string } };
    expect(body.tokenType).toBe('Bearer');
    expect(body.user.role).toBe('restaurant');
    const me = await t.app.request('/api/v2/me', {
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'restaurant', email: DEMO_ACCOUNTS.owner });
  });

  it('treats email case-insensitively', async () => {
    const res = await t.app.request(
      '/api/v2/auth/token',
      json({ email: 'Customer@QuickEats.test', password: 'quickeats-demo' }),
    );
    expect(res.status).toBe(200);
  });

  it('refuses a wrong password and an unknown email with the same 401 problem', async () => {
    const wrong = await t.app.request(
      '/api/v2/auth/token',
      json({ email: DEMO_ACCOUNTS.customer, password: 'nope' }),
    );
    const unknown = await t.app.request(
      '/api/v2/auth/token',
      json({ email: 'ghost@quickeats.test', password: 'quickeats-demo' }),
    );
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    }
  });

  it('names the bad fields of an invalid body (400) and never leaks internals', async () => {
    const res = await t.app.request('/api/v2/auth/token', json({ email: 'not-an-email', admin: true }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['email', 'password', 'admin']));
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const res = await t.app.request('/api/v2/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('MALFORMED_JSON');
  });
});

describe('bearer authentication (401 cases)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
  });
  afterAll(() => t?.close());

  const me = (authorization?: string) =>
    t.app.request('/api/v2/me', { headers: authorization ? { authorization } : {} });

  it('401 when the Authorization header is missing', async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('401 when the scheme is not Bearer or the token is garbage', async () => {
    expect((await me('Basic dXNlcjpwYXNz')).status).toBe(401);
    expect((await me('Bearer not.a.jwt')).status).toBe(401);
    expect((await me('Bearer')).status).toBe(401);
  });

  it('401 when the token is signed with another secret (forged)', async () => {
    const actor = await t.actorFor(DEMO_ACCOUNTS.admin);
    const forged = await signAccessToken(actor, 'another-secret-another-secret-another-secret', 3600);
    expect((await me(`Bearer ${forged}`)).status).toBe(401);
  });

  it('401 when the token has expired', async () => {
    const actor = await t.actorFor(DEMO_ACCOUNTS.admin);
    const expired = await signAccessToken(actor, TEST_TOKEN_SECRET, 60, new Date(Date.now() - 3600_000));
    const res = await me(`Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: expect.stringContaining('expired') });
  });

  it('accepts a valid token', async () => {
    expect((await me(`Bearer ${await t.tokenFor(DEMO_ACCOUNTS.rider)}`)).status).toBe(200);
  });
});
