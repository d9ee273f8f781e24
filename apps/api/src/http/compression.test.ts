import { get } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEMO_ACCOUNTS, serveTestApp, type TestApp } from '../testing/test-app';
import { COMPRESS_MIN_BYTES, cachedText, negotiateEncoding } from './compression';

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

describe('compression through the Node adapter', () => {
  let t: TestApp;
  let token: string;
  let server: Awaited<ReturnType<typeof serveTestApp>>;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 60 } });
    token = await t.tokenFor(DEMO_ACCOUNTS.admin);
    server = await serveTestApp(t.app);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** The raw bytes and headers as sent (fetch would decode them). */
  const raw = (path: string, acceptEncoding: string) =>
    new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>(
      (resolve, reject) => {
        get(
          `${base}${path}`,
          { headers: { authorization: `Bearer ${token}`, 'accept-encoding': acceptEncoding } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        ).on('error', reject);
      },
    );

  it('reads string bodies where the adapter keeps them, without turning them into streams', () => {
    // The adapter replaced the global Response when the server started; its string bodies are the
    // ones the middleware reads directly. A global (undici) Response has none to read.
    expect(cachedText(new Response('{"a":1}'))).toBe('{"a":1}');
    expect(cachedText(new Response(new Uint8Array([1])))).toBeNull();
  });

  it('compresses a large list and sends a single order as it is, each with its length', async () => {
    const list = await raw('/api/v2/orders?page[size]=50&include=restaurant,customer,items', 'br');
    expect(list.headers['content-encoding']).toBe('br');
    const page = JSON.parse(brotliDecompressSync(list.body).toString()) as { data: { id: string }[] };
    expect(page.data).toHaveLength(50);
    const one = await raw(`/api/v2/orders/${page.data[0]!.id}`, 'gzip, br');
    expect(one.headers['content-encoding']).toBeUndefined();
    expect(one.headers['content-length']).toBe(String(one.body.length));
    expect((JSON.parse(one.body.toString()) as { data: { id: string } }).data.id).toBe(page.data[0]!.id);
    expect(one.headers['x-request-id']).toBeTruthy();
  });
});
