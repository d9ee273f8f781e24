/**
 * The wire protocol, byte for byte, through `app.request()` (no port) against the real Redis:
 * what an Upstash REST client that is not @upstash/redis would see.
 */
import { RESP_TYPES } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashBridgeApp } from './bridge';
import type { RedisRunner } from './redis';
import { connectRedis } from './redis';
import type { DirectRedis } from './test-support';
import { connectDirect, deleteKeys, newKeyPrefix, startOwnRedis, testRedisUrl } from './test-support';

const token = 'bridge-test-token';
const prefix = newKeyPrefix('protocol');
const key = (name: string) => `${prefix}${name}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

let redis: RedisRunner;
let direct: DirectRedis;
let app: ReturnType<typeof createUpstashBridgeApp>;

beforeAll(async () => {
  redis = await connectRedis(testRedisUrl);
  direct = await connectDirect();
  app = createUpstashBridgeApp({ redis, token });
});

afterAll(async () => {
  await deleteKeys(direct, prefix);
  await direct.close();
  await redis.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST / (one command)', () => {
  it('runs SET NX PX on the real server and answers { result } like Upstash', async () => {
    const first = await post('/', ['SET', key('nx'), 'v', 'NX', 'PX', 30000]);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await first.json()).toEqual({ result: 'OK' });
    // NX lost: Redis answers nil, which Upstash renders as null.
    expect(await (await post('/', ['SET', key('nx'), 'w', 'NX'])).json()).toEqual({ result: null });
    // Read back without the bridge: the value and its expiry are really in Redis.
    expect(await direct.get(key('nx'))).toBe('v');
    const ttl = await direct.pTTL(key('nx'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30000);
  });

  it('answers integers as JSON numbers and arrays as arrays', async () => {
    expect(await (await post('/', ['INCRBY', key('n'), 41])).json()).toEqual({ result: 41 });
    await post('/', ['RPUSH', key('list'), 'a', 'b']);
    expect(await (await post('/', ['LRANGE', key('list'), 0, -1])).json()).toEqual({ result: ['a', 'b'] });
  });

  it('returns HGETALL as the flat RESP2 array, not a map', async () => {
    await post('/', ['HSET', key('h'), 'f', 'v']);
    expect(await (await post('/', ['HGETALL', key('h')])).json()).toEqual({ result: ['f', 'v'] });
  });

  it('base64-encodes strings under Upstash-Encoding: base64 but leaves the OK status', async () => {
    const headers = { 'Upstash-Encoding': 'base64' };
    expect(await (await post('/', ['SET', key('b64'), 'héllo'], headers)).json()).toEqual({ result: 'OK' });
    expect(await (await post('/', ['GET', key('b64')], headers)).json()).toEqual({ result: b64('héllo') });
    // PONG is a status reply too, and only OK is exempt.
    expect(await (await post('/', ['PING'], headers)).json()).toEqual({ result: b64('PONG') });
  });

  it('answers a Redis error as { error } with 400', async () => {
    await direct.set(key('text'), 'not a number');
    const res = await post('/', ['INCR', key('text')]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'ERR value is not an integer or out of range' });
  });

  it('runs EVAL on the server (Lua compare-and-set)', async () => {
    const cas =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";
    await direct.set(key('cas'), 'old');
    expect(await (await post('/', ['EVAL', cas, 1, key('cas'), 'stale', 'x'])).json()).toEqual({ result: 0 });
    expect(await (await post('/', ['EVAL', cas, 1, key('cas'), 'old', 'new'])).json()).toEqual({ result: 1 });
    expect(await direct.get(key('cas'))).toBe('new');
  });

  it.each([
    ['malformed JSON', '["GET",'],
    ['an empty command', []],
    ['an object argument', ['SET', 'k', { nested: true }]],
  ])('answers %s with 400 and an error message', async (_name, body) => {
    const res = await post('/', body);
    expect(res.status).toBe(400);
    expect((await res.json()) as { error: string }).toEqual({ error: expect.stringMatching(/^ERR /) });
  });

  it('refuses SELECT, which would switch a pooled connection to another database', async () => {
    const res = await post('/', ['SELECT', 1]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining('SELECT') });
  });
});

describe('POST /pipeline', () => {
  it('answers one entry per command, in order, with a failed command in place and status 200', async () => {
    await direct.set(key('p-text'), 'x');
    const res = await post('/pipeline', [
      ['SET', key('p'), 'valuex'],
      ['INCR', key('p-text')],
      ['GET', key('p')],
      ['ZADD', key('z'), 11, 'item1', 22, 'item2'],
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'valuex' },
      { result: 2 },
    ]);
  });

  it('decides the OK exemption per entry under base64', async () => {
    const res = await post(
      '/pipeline',
      [
        ['SET', key('p64'), 'v'],
        ['GET', key('p64')],
      ],
      {
        'Upstash-Encoding': 'base64',
      },
    );
    expect(await res.json()).toEqual([{ result: 'OK' }, { result: b64('v') }]);
  });
});

describe('POST /multi-exec', () => {
  it('runs the commands in MULTI/EXEC, keeping a run-time error in place', async () => {
    await direct.set(key('m-text'), 'x');
    const res = await post('/multi-exec', [
      ['SET', key('m'), '1'],
      ['INCR', key('m-text')],
      ['INCR', key('m')],
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 2 },
    ]);
  });

  it('discards the whole transaction when a command is refused while queueing', async () => {
    const res = await post('/multi-exec', [
      ['SET', key('discarded'), 'v'],
      ['NOSUCHCOMMAND', 'x'],
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("unknown command 'NOSUCHCOMMAND'") });
    // Atomicity: the SET queued before the bad command never ran.
    expect(await direct.exists(key('discarded'))).toBe(0);
  });

  it('never interleaves two transactions, even when many share the pool at once', async () => {
    // Each transaction INCRs the same counter twice. Only if MULTI..EXEC really ran on one
    // connection are a transaction's two results consecutive; interleaving would split them.
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        post('/multi-exec', [
          ['INCR', key('tx-counter')],
          ['INCR', key('tx-counter')],
        ]).then((res) => res.json() as Promise<[{ result: number }, { result: number }]>),
      ),
    );
    for (const [first, second] of responses) expect(second.result).toBe(first.result + 1);
    expect(await direct.get(key('tx-counter'))).toBe('100');
  });
});

describe('path form', () => {
  it('runs GET /set/<key>/<value> and GET /get/<key>', async () => {
    const path = `/set/${encodeURIComponent(key('path'))}/hello%20world`;
    expect(await (await app.request(path, { headers: { Authorization: `Bearer ${token}` } })).json()).toEqual(
      {
        result: 'OK',
      },
    );
    expect(await direct.get(key('path'))).toBe('hello world');
  });

  it('stores a POST body as the raw value, bytes intact, with query arguments after it', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const res = await app.request(`/set/${encodeURIComponent(key('binary'))}?EX=100`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: bytes,
    });
    expect(await res.json()).toEqual({ result: 'OK' });
    const stored = await direct.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key('binary'));
    expect(Buffer.compare(stored as Buffer, bytes)).toBe(0);
    expect(await direct.ttl(key('binary'))).toBeGreaterThan(0);
    // And base64 hands the same bytes back exactly.
    const read = await post('/', ['GET', key('binary')], { 'Upstash-Encoding': 'base64' });
    expect(await read.json()).toEqual({ result: bytes.toString('base64') });
  });
});

describe('authentication and protocol options', () => {
  it.each([
    ['no credentials', {}],
    ['a wrong bearer token', { Authorization: 'Bearer nope' }],
    ['another scheme', { Authorization: `Basic ${token}` }],
  ])('answers 401 for %s', async (_name, headers) => {
    const res = await app.request('/', { method: 'POST', headers, body: JSON.stringify(['PING']) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized' });
  });

  it('accepts the token as the _token query parameter', async () => {
    const res = await app.request(`/?_token=${token}`, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(await res.json()).toEqual({ result: 'PONG' });
  });

  it('does not let _token rescue a wrong Authorization header', async () => {
    const res = await app.request(`/?_token=${token}`, {
      method: 'POST',
      headers: { Authorization: 'Bearer nope' },
      body: JSON.stringify(['PING']),
    });
    expect(res.status).toBe(401);
  });

  it('refuses the RESP2 response format rather than answer JSON the client would misread', async () => {
    const res = await post('/', ['PING'], { 'Upstash-Response-Format': 'resp2' });
    expect(res.status).toBe(400);
  });

  it('answers 405 to methods the REST API does not take', async () => {
    const res = await app.request('/get/k', {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(405);
  });
});

describe('Redis unreachable', () => {
  it('answers 503 with an { error } that says why, without holding the request until Redis is back', async () => {
    const own = await startOwnRedis();
    const runner = await connectRedis(own.url);
    try {
      const bridge = createUpstashBridgeApp({ redis: runner, token });
      const ping = () =>
        bridge.request('/', {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body: JSON.stringify(['PING']),
        });
      expect((await ping()).status).toBe(200);
      await own.kill();
      // Redis never comes back in this test: a request held for it would end only at a connect
      // timeout, as a 500 with an empty message (what the idempotency fault test once received).
      const res = await ping();
      expect(res.status).toBe(503);
      expect((await res.json()) as { error: string }).toEqual({
        error: expect.stringMatching(/^ERR upstash-bridge: \S/),
      });
    } finally {
      await runner.close().catch(() => {});
    }
  });
});
