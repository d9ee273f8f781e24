import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commandFromPath, commandListSchema, commandSchema, forRedis, refusal } from './command';

describe('commandSchema', () => {
  it('turns the numbers and booleans @upstash/redis sends into Redis string arguments', () => {
    expect(commandSchema.parse(['SET', 'k', 1.5, 'PX', 30000, true])).toEqual([
      'SET',
      'k',
      '1.5',
      'PX',
      '30000',
      'true',
    ]);
  });

  it.each([
    ['an empty array', []],
    ['a nested object', ['SET', 'k', { v: 1 }]],
    ['a bare string', 'GET k'],
  ])('refuses %s', (_name, body) => {
    expect(commandSchema.safeParse(body).success).toBe(false);
  });

  it('refuses an empty pipeline and a pipeline holding a non-command', () => {
    expect(commandListSchema.safeParse([]).success).toBe(false);
    expect(commandListSchema.safeParse([['GET', 'k'], 'GET']).success).toBe(false);
  });
});

describe('commandFromPath', () => {
  it('decodes each segment on its own, so an encoded slash stays inside its argument', () => {
    expect(commandFromPath(new URL('http://h/set/a%2Fb/hello%20world'), undefined)).toEqual([
      'set',
      'a/b',
      'hello world',
    ]);
  });

  it('puts the POST body before query arguments and never passes _token on', () => {
    const body = Buffer.from([0xff, 0x01]);
    expect(commandFromPath(new URL('http://h/set/k?EX=100&NX&_token=secret'), body)).toEqual([
      'set',
      'k',
      body,
      'EX',
      '100',
      'NX',
    ]);
  });

  it('adds no argument for an empty POST body', () => {
    expect(commandFromPath(new URL('http://h/get/k'), Buffer.alloc(0))).toEqual(['get', 'k']);
  });
});

describe('refusal', () => {
  it('refuses commands that would change a pooled connection, in any case', () => {
    expect(
      refusal([
        ['GET', 'k'],
        ['select', '1'],
      ]),
    ).toMatch(/SELECT/);
    expect(refusal([['MULTI']])).toMatch(/MULTI/);
    expect(refusal([['client', 'reply', 'off']])).toMatch(/CLIENT REPLY/);
  });

  it('lets ordinary commands, including EVAL, through', () => {
    expect(
      refusal([
        ['GET', 'k'],
        ['EVAL', 'return 1', '0'],
      ]),
    ).toBeUndefined();
  });
});

describe('forRedis', () => {
  const script = '#!lua flags=allow-key-locking,no-writes\nreturn 1';
  const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

  it('drops script flags only Upstash knows, and maps the client-side SHA1 to the rewritten script', () => {
    expect(forRedis(['EVAL', script, '0'])).toEqual(['EVAL', '#!lua flags=no-writes\nreturn 1', '0']);
    expect(forRedis(['EVALSHA', sha1(script), '0'])).toEqual([
      'EVALSHA',
      sha1('#!lua flags=no-writes\nreturn 1'),
      '0',
    ]);
    expect(forRedis(['SCRIPT', 'LOAD', '#!lua flags=allow-key-locking\nreturn 2'])).toEqual([
      'SCRIPT',
      'LOAD',
      '#!lua\nreturn 2',
    ]);
  });

  it('leaves every other command and script alone', () => {
    expect(forRedis(['EVAL', 'return 1', '0'])).toEqual(['EVAL', 'return 1', '0']);
    expect(forRedis(['EVALSHA', 'f'.repeat(40), '0'])).toEqual(['EVALSHA', 'f'.repeat(40), '0']);
    expect(forRedis(['SET', 'k', 'v'])).toEqual(['SET', 'k', 'v']);
  });
});
