import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { COMPRESS_MIN_BYTES, negotiateEncoding } from './compression';

describe('Accept-Encoding negotiation', () => {
  it('prefers br, honours q-values and q=0, and falls back to identity', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip')).toBe('gzip');
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.8')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip;q=0')).toBeNull();
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
  });
});

describe('compressed JSON answers', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 60 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.admin);
  });
  afterAll(() => t?.close());

  const list = (acceptEncoding?: string) =>
    t.app.request('/api/v2/orders?page[size]=50&include=restaurant,customer,items', {
      headers: {
        authorization: `Bearer ${token}`,
        ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
      },
    });

  it('sends a large list as br or gzip, byte for byte the identity body once decoded', async () => {
    const plain = await list();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/Accept-Encoding/);
    const identity = Buffer.from(await plain.arrayBuffer());
    expect(identity.length).toBeGreaterThan(COMPRESS_MIN_BYTES);

    const br = await list('gzip, br');
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(identity.length / 4);
    expect(brotliDecompressSync(brBytes).equals(identity)).toBe(true);

    const gz = await list('gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(identity)).toBe(true);
  });

  it('leaves small bodies uncompressed: health, and a single order document', async () => {
    const health = await t.app.request('/healthz', { headers: { 'accept-encoding': 'br' } });
    expect(health.headers.get('content-encoding')).toBeNull();
    const [first] = ((await (await list()).json()) as { data: { id: string }[] }).data;
    const one = await t.app.request(`/api/v2/orders/${first!.id}`, {
      headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, br' },
    });
    expect(one.status).toBe(200);
    expect(one.headers.get('content-encoding')).toBeNull();
    expect((await one.arrayBuffer()).byteLength).toBeLessThan(COMPRESS_MIN_BYTES);
  });
});
