import { ErrorReply } from '@redis/client';
import { describe, expect, it } from 'vitest';
import { toUpstashValue } from './reply';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('toUpstashValue', () => {
  it('maps integers to numbers, nil to null and keeps nested arrays', () => {
    const reply = [1, null, Buffer.from('a'), [Buffer.from('b'), [-7]]];
    expect(toUpstashValue(reply, 'utf8')).toEqual([1, null, 'a', ['b', [-7]]]);
  });

  it('base64-encodes every string of the raw bytes, at any depth', () => {
    const reply = [Buffer.from('héllo'), 'PONG', [Buffer.from('x')]];
    expect(toUpstashValue(reply, 'base64')).toEqual([b64('héllo'), b64('PONG'), [b64('x')]]);
  });

  it('leaves a top-level OK status plain, as @upstash/redis expects', () => {
    expect(toUpstashValue('OK', 'base64')).toBe('OK');
  });

  it('encodes a stored value "OK" (a bulk string), which the client decodes back to OK', () => {
    expect(toUpstashValue(Buffer.from('OK'), 'base64')).toBe(b64('OK'));
  });

  it('encodes an OK status inside an array, because the client decodes every string there', () => {
    expect(toUpstashValue(['OK', 1], 'base64')).toEqual([b64('OK'), 1]);
  });

  it('keeps binary bytes exact in base64 and replaces invalid UTF-8 with U+FFFD otherwise', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x61]);
    expect(toUpstashValue(bytes, 'base64')).toBe('/wBh');
    expect(toUpstashValue(bytes, 'utf8')).toBe('\uFFFD\u0000a');
  });

  it('turns an error nested in an array into its message', () => {
    expect(toUpstashValue([1, new ErrorReply('ERR boom')], 'utf8')).toEqual([1, 'ERR boom']);
  });

  it('refuses a reply shape RESP2 never produces instead of guessing', () => {
    expect(() => toUpstashValue({ a: 1 }, 'utf8')).toThrow(TypeError);
  });
});
