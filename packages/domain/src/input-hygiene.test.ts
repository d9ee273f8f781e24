import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import {
  exceedsJsonDepth,
  findUnstorableText,
  isStorableText,
  MAX_JSON_DEPTH,
  storableText,
} from './input-hygiene';
import { CreateOrderInputSchema, LoginInputSchema, OrderActionBodySchema } from './schemas';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[[[', b: '\\"[[[[' }), 2)).toBe(false);
    expect(exceedsJsonDepth('{"a":{"b":{"c":1}}}', 2)).toBe(true);
  });

  it('handles 100,000 levels (and unbalanced text) without recursion', () => {
    expect(exceedsJsonDepth(`${'{"a":'.repeat(100_000)}1`)).toBe(true);
    expect(exceedsJsonDepth(']]]]]]')).toBe(false);
  });

  it('agrees with the real nesting of any JSON value', () => {
    const depthOf = (v: unknown): number =>
      Array.isArray(v)
        ? 1 + Math.max(0, ...v.map(depthOf))
        : v !== null && typeof v === 'object'
          ? 1 + Math.max(0, ...Object.values(v).map(depthOf))
          : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, max) => {
        expect(exceedsJsonDepth(JSON.stringify(value), max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it('bounds what canonicalJson (the idempotency fingerprint) is ever given', () => {
    const deep = JSON.parse(nested(10_000));
    expect(() => canonicalJson(deep)).toThrow(RangeError);
    expect(exceedsJsonDepth(nested(10_000))).toBe(true);
  });
});

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, accepts everything else', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\uD800')).toBe(false);
    expect(isStorableText('x\uDC00')).toBe(false);
    expect(isStorableText('😀 \u0001 \uFFFD é')).toBe(true);
    expect(storableText(5).safeParse('a\u0000').success).toBe(false);
  });

  it('names the first unstorable member, member names included', () => {
    expect(findUnstorableText({ items: [{ a: 'ok' }, { note: 'x\u0000' }] })).toBe('items.1.note');
    expect(findUnstorableText({ 'bad\u0000key': 1 })).toBe('bad\u0000key');
    expect(findUnstorableText('\u0000')).toBe('(body)');
    expect(findUnstorableText({ reason: 'fine' }, 'input')).toBeNull();
    expect(findUnstorableText([1, { x: '\uD800' }], 'input')).toBe('input.1.x');
  });

  it('is part of the write schemas of every surface', () => {
    expect(OrderActionBodySchema.safeParse({ reason: 'a\u0000b' }).error?.issues[0]?.path).toEqual([
      'reason',
    ]);
    const create = {
      restaurantId: crypto.randomUUID(),
      items: [{ menuItemId: crypto.randomUUID(), quantity: 1 }],
    };
    expect(CreateOrderInputSchema.safeParse({ ...create, note: '\u0000' }).success).toBe(false);
    expect(LoginInputSchema.safeParse({ email: 'a\u0000@b.test', password: 'x' }).success).toBe(false);
  });
});
