/**
 * The real `@upstash/redis` client (catalog 1.39.0) against the bridge against the real Redis:
 * what the API's idempotency store will run on. Every behaviour is checked under each client
 * setting that changes the wire traffic, since the bridge must serve the client as configured.
 */
import { createHash } from 'node:crypto';
import type { RedisConfigNodejs } from '@upstash/redis';
import { errors, Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstashBridge } from './start';
import { startUpstashBridge } from './start';
import type { DirectRedis } from './test-support';
import { connectDirect, deleteKeys, newKeyPrefix, testRedisUrl } from './test-support';

const prefix = newKeyPrefix('client');

let bridge: UpstashBridge;
let direct: DirectRedis;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: testRedisUrl });
  direct = await connectDirect();
});

afterAll(async () => {
  await deleteKeys(direct, prefix);
  await direct.close();
  await bridge.close();
});

type ClientSettings = Omit<RedisConfigNodejs, 'url' | 'token'>;

const clientSettings: { name: string; settings: ClientSettings; deserializes: boolean }[] = [
  // Defaults send `Upstash-Encoding: base64`, batch concurrent commands into /pipeline and
  // JSON-parse results.
  { name: 'default settings', settings: {}, deserializes: true },
  {
    name: 'automaticDeserialization off',
    settings: { automaticDeserialization: false },
    deserializes: false,
  },
  // Plain JSON strings on the wire: no base64 header at all.
  { name: 'responseEncoding off', settings: { responseEncoding: false }, deserializes: true },
  // One HTTP request per command on `POST /`, instead of auto-batched pipelines.
  { name: 'auto-pipelining off', settings: { enableAutoPipelining: false }, deserializes: true },
];

describe.each(clientSettings)('@upstash/redis with $name', ({ name, settings, deserializes }) => {
  const key = (suffix: string) => `${prefix}${name.replaceAll(' ', '-')}:${suffix}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ url: bridge.url, token: bridge.token, ...settings });
  });

  it('SET with NX and PX writes once, with the expiry in real Redis', async () => {
    expect(await redis.set(key('nx'), 'first', { nx: true, px: 30_000 })).toBe('OK');
    expect(await redis.set(key('nx'), 'second', { nx: true, px: 30_000 })).toBeNull();
    expect(await redis.get(key('nx'))).toBe('first');
    const ttl = await direct.pTTL(key('nx'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('INCR and INCRBY count on the server and come back as numbers', async () => {
    expect(await redis.incr(key('counter'))).toBe(1);
    expect(await redis.incr(key('counter'))).toBe(2);
    expect(await redis.incrby(key('counter'), 40)).toBe(42);
    expect(await direct.get(key('counter'))).toBe('42');
  });

  it('HSET/HGETALL round-trips a hash', async () => {
    expect(await redis.hset(key('hash'), { status: 'paid', version: 2 })).toBe(2);
    // Deserialization turns the flat RESP2 array into an object and parses JSON-looking values.
    const expected = deserializes ? { status: 'paid', version: 2 } : ['status', 'paid', 'version', '2'];
    expect(await redis.hgetall(key('hash'))).toEqual(expected);
  });

  it('round-trips a JSON value through the client serialization', async () => {
    const order = {
      id: 'ord_1',
      total: { minor: 1250, currency: 'EUR' },
      items: ['pizza 🍕', 'büreк'],
      paid: true,
      rider: null,
    };
    expect(await redis.set(key('json'), order)).toBe('OK');
    // Stored as JSON text in Redis; the client gives it back parsed, or raw when told not to.
    expect(await direct.get(key('json'))).toBe(JSON.stringify(order));
    expect(await redis.get(key('json'))).toEqual(deserializes ? order : JSON.stringify(order));
  });

  it('returns strings that look like OK, base64 or nothing unchanged, alone and inside arrays', async () => {
    // "OK" as a stored value and "T0s=" (base64 of OK) are where a wrong encoding shows: the
    // client special-cases a top-level "OK" and decodes every string inside an array.
    const values = ['OK', 'T0s=', 'héllo wörld 🍕', ''];
    const keys = values.map((_, i) => key(`tricky-${i}`));
    for (const [i, value] of values.entries()) expect(await redis.set(keys[i]!, value)).toBe('OK');
    for (const [i, value] of values.entries()) expect(await redis.get(keys[i]!)).toBe(value);
    expect(await redis.mget(...keys)).toEqual(values);
  });

  it('runs a pipeline in order', async () => {
    const results = await redis.pipeline().set(key('pipe'), 1).incr(key('pipe')).get(key('pipe')).exec();
    expect(results).toEqual(['OK', 2, deserializes ? 2 : '2']);
  });

  it('runs a MULTI/EXEC transaction', async () => {
    const results = await redis.multi().set(key('tx'), 'a').append(key('tx'), 'b').get(key('tx')).exec();
    expect(results).toEqual(['OK', 2, 'ab']);
  });

  it('reports a failing command inside a transaction while the others still ran, as in Redis', async () => {
    const transaction = redis.multi().set(key('tx-text'), 'text').incr(key('tx-text'));
    await expect(transaction.exec()).rejects.toThrow(
      /Command 2 \[ incr \] failed: ERR value is not an integer/,
    );
    expect(await direct.get(key('tx-text'))).toBe('text');
  });

  it('runs a Lua compare-and-set with EVAL', async () => {
    const compareAndSet = `
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2])
        return 1
      end
      return 0`;
    await direct.set(key('cas'), 'in-flight');
    expect(await redis.eval(compareAndSet, [key('cas')], ['stale', 'done'])).toBe(0);
    expect(await direct.get(key('cas'))).toBe('in-flight');
    expect(await redis.eval(compareAndSet, [key('cas')], ['in-flight', 'done'])).toBe(1);
    expect(await direct.get(key('cas'))).toBe('done');
  });

  it('returns a Lua table with an OK status nested in it', async () => {
    const script = "return {7, ARGV[1], redis.call('SET', KEYS[1], ARGV[1])}";
    expect(await redis.eval(script, [key('lua-table')], ['seven'])).toEqual([7, 'seven', 'OK']);
  });

  it('falls back from EVALSHA to EVAL on NOSCRIPT, then uses the cached script', async () => {
    // A script text unique to this run and setting, so Redis cannot already know its SHA.
    const text = `-- ${key('script')}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const sha = createHash('sha1').update(text).digest('hex');
    const script = redis.createScript<number>(text);
    expect(await redis.scriptExists(sha)).toEqual([0]);
    expect(await script.exec([key('script-counter')], ['5'])).toBe(5);
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await script.exec([key('script-counter')], ['5'])).toBe(10);
  });

  it('surfaces an error from Redis as an UpstashError', async () => {
    await direct.set(key('not-a-number'), 'abc');
    const failure = redis.incr(key('not-a-number'));
    await expect(failure).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(failure).rejects.toThrow('ERR value is not an integer or out of range');
  });

  it('is refused with Unauthorized when the token is wrong', async () => {
    const intruder = new Redis({ url: bridge.url, token: 'wrong-token', ...settings });
    await direct.set(key('secret'), 'hidden');
    await expect(intruder.get(key('secret'))).rejects.toThrow(/Unauthorized/);
  });

  it('lets exactly one of 100 concurrent SET NX on one key win', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        redis.set(key('race'), `contender-${i}`, { nx: true, px: 30_000 }),
      ),
    );
    const winners = attempts.flatMap((result, i) => (result === 'OK' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(attempts.filter((result) => result === null)).toHaveLength(99);
    expect(await direct.get(key('race'))).toBe(`contender-${winners[0]}`);
  });
});

describe('100 separate clients racing over HTTP', () => {
  it('lets exactly one SET NX win when every attempt is its own request', async () => {
    // One client would batch concurrent commands into a single /pipeline request; separate
    // clients without auto-pipelining make 100 concurrent HTTP requests, spread over the
    // bridge's Redis connections, so the race is decided by Redis itself.
    const key = `${prefix}race-across-clients`;
    const clients = Array.from(
      { length: 100 },
      () => new Redis({ url: bridge.url, token: bridge.token, enableAutoPipelining: false }),
    );
    const attempts = await Promise.all(
      clients.map((client, i) => client.set(key, `client-${i}`, { nx: true, px: 30_000 })),
    );
    const winners = attempts.flatMap((result, i) => (result === 'OK' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await direct.get(key)).toBe(`client-${winners[0]}`);
  });
});

describe('the bridge counts the REST calls it receives', () => {
  it('one per request: a command, a pipeline of three, and a refused request each count once', async () => {
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableAutoPipelining: false });
    const before = bridge.requests();
    await redis.set(`${prefix}counted`, 'v');
    expect(bridge.requests()).toBe(before + 1);
    const p = redis.pipeline();
    p.set(`${prefix}counted`, 'a');
    p.get(`${prefix}counted`);
    p.del(`${prefix}counted`);
    await p.exec();
    expect(bridge.requests()).toBe(before + 2);
    await fetch(bridge.url, { method: 'POST', body: '["PING"]' }); // no token: 401, still a call
    expect(bridge.requests()).toBe(before + 3);
  });
});
