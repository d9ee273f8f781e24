import { describe, expect, it } from 'vitest';
import { commandFromPath, commandListSchema, commandSchema, refusal } from './command';

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
