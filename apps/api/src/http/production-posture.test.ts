/**
 * Production posture (issue 12): security headers on every answer, HSTS only over https, tokens
 * never cached and per-user documents private; in production no GraphQL introspection nor "Did you
 * mean" suggestions; logs never carry SQL parameters, tokens or hashes.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

let t: TestApp;
let prod: TestApp;
beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 0 } });
  prod = await createTestApp({
    seed: { orders: 0 },
    env: {
      NODE_ENV: 'production',
      EXPOSE_SQL_STATEMENTS: 'false',
      DATABASE_URL: 'postgres://unused/x',
      PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
    },
  });
});
afterAll(async () => {
  await t?.close();
  await prod?.close();
});

describe('headers', () => {
  it('nosniff and frame-ancestors everywhere; HSTS only when the request came over https', async () => {
    const plain = await t.app.request('/healthz');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    expect(plain.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const proxied = await t.app.request('/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(
      (await t.app.request('https://api.example/healthz')).headers.get('strict-transport-security'),
    ).not.toBeNull();
  });

  it('the token answer is no-store, a per-user document private', async () => {
    const login = await t.app.request('/api/v2/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.customer, password: 'quickeats-demo' }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const orders = await t.app.request('/api/v2/orders', { headers: { authorization: `Bearer ${token}` } });
    expect(orders.status).toBe(200);
    expect(orders.headers.get('cache-control')).toMatch(/^private/);
  });
});

describe('GraphQL debug features', () => {
  const gql = async (app: TestApp, query: string) =>
    app.app.request('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await app.tokenFor(DEMO_ACCOUNTS.customer)}`,
      },
      body: JSON.stringify({ query }),
    });

  it('introspection and suggestions are on in development, off in production', async () => {
    const introspection = '{ __schema { types { name } } }';
    expect((await gql(t, introspection)).status).toBe(200);
    const refused = await gql(prod, introspection);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('introspection is disabled');

    const typo = '{ orders { nodes { stauts } } }';
    expect(JSON.stringify(await (await gql(t, typo)).json())).toContain('Did you mean');
    expect(JSON.stringify(await (await gql(prod, typo)).json())).not.toContain('Did you mean');
  });
});

describe('logs', () => {
  it('redact SQL parameters, tokens and password hashes', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const log = createLogger('info', sink as never);
    const err = Object.assign(new Error('insert failed'), {
      query: 'insert into users values ($1, $2)',
      parameters: ['admin@x', '$scrypt$secret-hash'],
    });
    log.error({ err, accessToken: 'eyJ.secret.token', user: { passwordHash: '$scrypt$other' } }, 'failed');
    expect(out).toContain('insert failed');
    expect(out).not.toMatch(/secret-hash|eyJ\.secret|\$scrypt\$other/);
  });
});
