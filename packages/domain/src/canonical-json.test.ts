import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

/**
 * JSON values as `JSON.parse` can produce them, with keys that are special on plain objects
 * (`__proto__`, `constructor`) drawn often: `fc.jsonValue()` alone rarely produces them.
 */
const jsonArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toJSON')), tie('json'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).json;

/** The same JSON value with every object's keys in reverse insertion order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    // fromEntries, not assignment, so a "__proto__" member stays an own property.
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 0, y: 1 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":1,"z":0}]},"b":1}',
    );
  });

  it('drops undefined members and writes undefined array slots as null, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson(null)).toBe('null');
  });

  it('is a fixed point: canonicalising its own output parsed back changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), jsonArb), (x) => {
        const once = canonicalJson(x);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), jsonArb), (x) => {
        expect(canonicalJson(reverseKeys(x))).toBe(canonicalJson(x));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every member: only the order differs from JSON.stringify', () => {
    // A dropped member would let two different bodies share one idempotency fingerprint.
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), jsonArb), (x) => {
        const canonical = canonicalJson(x);
        expect(canonical.length).toBe(JSON.stringify(x).length);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(x)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a "__proto__" member of a parsed body instead of turning it into a prototype', () => {
    const body = JSON.parse('{"__proto__":{"amount":1},"b":2}');
    expect(canonicalJson(body)).toBe('{"__proto__":{"amount":1},"b":2}');
    expect(canonicalJson(body)).not.toBe(canonicalJson({ b: 2 }));
  });

  it('serialises values with toJSON (a Date) as JSON.stringify does, not as an empty object', () => {
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson(new Date(0))).not.toBe(canonicalJson(new Date(1)));
  });
});
