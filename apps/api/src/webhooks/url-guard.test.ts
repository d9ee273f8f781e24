/**
 * The SSRF guard for webhook endpoint URLs: which addresses count as non-public, host names judged
 * by every address they resolve to, and the registration route answering 422 naming `url` when the
 * guard is on (production's default; tests and development run receivers on 127.0.0.1, so it is
 * off there unless WEBHOOK_ALLOW_PRIVATE_URLS=false, as here).
 */
import { DEMO_ACCOUNTS } from '@quickeats/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { checkWebhookUrl, isNonPublicAddress } from './url-guard';

describe('isNonPublicAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, unspecified, multicast and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254', // cloud metadata
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1', // IPv4-mapped loopback
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-address',
    ])
      expect(isNonPublicAddress(address), address).toBe(true);
  });

  it('accepts public IPv4 and IPv6 addresses', () => {
    for (const address of [
      '93.184.215.14',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      expect(isNonPublicAddress(address), address).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const resolveTo =
    (...addresses: string[]) =>
    async () =>
      addresses;

  it('judges an IP literal by itself, without resolving', async () => {
    const never = async () => {
      throw new Error('must not resolve a literal');
    };
    expect(await checkWebhookUrl('http://127.0.0.1:8080/hooks', never)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('http://[::1]/hooks', never)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://93.184.215.14/hooks', never)).toEqual({ ok: true });
  });

  it('refuses a name when any address it resolves to is non-public (one bad record is enough)', async () => {
    expect(await checkWebhookUrl('https://partner.example/h', resolveTo('93.184.215.14'))).toEqual({
      ok: true,
    });
    const mixed = await checkWebhookUrl('https://partner.example/h', resolveTo('93.184.215.14', '10.0.0.5'));
    expect(mixed).toEqual({ ok: false, reason: expect.stringContaining('10.0.0.5') });
    expect(await checkWebhookUrl('https://metadata.example/', resolveTo('169.254.169.254'))).toMatchObject({
      ok: false,
    });
  });

  it('refuses localhost names and names that do not resolve', async () => {
    expect(await checkWebhookUrl('http://localhost:3000/h', resolveTo('93.184.215.14'))).toMatchObject({
      ok: false,
    });
    expect(await checkWebhookUrl('http://api.localhost/h', resolveTo('93.184.215.14'))).toMatchObject({
      ok: false,
    });
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await checkWebhookUrl('https://nowhere.invalid/h', failing)).toEqual({
      ok: false,
      reason: 'host nowhere.invalid does not resolve',
    });
  });
});

describe('registering an endpoint with the guard on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 }, env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } });
  });
  afterAll(() => t?.close());

  const register = async (url: string) => {
    const res = await t.app.request('/api/v2/webhook-endpoints', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await t.tokenFor(DEMO_ACCOUNTS.owner)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ url }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers 422 naming `url` for loopback, private and link-local targets, and stores nothing', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hooks',
      'http://[::1]/hooks',
      'http://10.0.0.7/hooks',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost/hooks',
    ]) {
      const res = await register(url);
      expect(res.status, url).toBe(422);
      expect(res.body, url).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'url' }] });
    }
    const list = await t.app.request('/api/v2/webhook-endpoints', {
      headers: { authorization: `Bearer ${await t.tokenFor(DEMO_ACCOUNTS.owner)}` },
    });
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('registers a public address', async () => {
    const res = await register('https://93.184.215.14/hooks');
    expect(res.status).toBe(201);
  });
});
