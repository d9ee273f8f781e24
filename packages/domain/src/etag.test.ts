import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  etagToVersion,
  expectedVersionFromIfMatch,
  ifNoneMatchHits,
  parseIfMatch,
  versionToETag,
} from './etag';

const versionArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('versionToETag / etagToVersion', () => {
  it('writes a strong, quoted tag', () => {
    expect(versionToETag(7)).toBe('"v7"');
  });

  it('round-trips every version', () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        expect(etagToVersion(versionToETag(v))).toBe(v);
      }),
    );
  });

  it('tolerates surrounding whitespace', () => {
    expect(etagToVersion('  "v12" ')).toBe(12);
  });

  it.each([
    ['a weak tag', 'W/"v7"'],
    ['an unquoted tag', 'v7'],
    ['a missing v', '"7"'],
    ['version 0', '"v0"'],
    ['a leading zero', '"v07"'],
    ['a negative version', '"v-1"'],
    ['a foreign tag', '"33a64df551"'],
    ['the wildcard', '*'],
    ['an empty string', ''],
  ])('is not one of ours: %s', (_case, tag) => {
    expect(etagToVersion(tag)).toBeNull();
  });
});

describe('parseIfMatch', () => {
  it('reads * as any current representation', () => {
    expect(parseIfMatch(' * ')).toEqual({ kind: 'any' });
  });

  it('reads a list of strong tags', () => {
    expect(parseIfMatch('"v3", "v4"')).toEqual({ kind: 'versions', versions: [3, 4] });
  });

  it('drops weak tags, because If-Match compares strongly (RFC 9110 §13.1.1)', () => {
    expect(parseIfMatch('W/"v3", "v4"')).toEqual({ kind: 'versions', versions: [4] });
    expect(parseIfMatch('W/"v3"')).toEqual({ kind: 'versions', versions: [] });
  });

  it.each([['""'], [''], [' , '], ['"v3", garbage'], ['"v3", *']])('refuses %j as invalid', (header) => {
    expect(parseIfMatch(header)).toEqual({ kind: 'invalid' });
  });
});

describe('expectedVersionFromIfMatch', () => {
  it('requires the current version for *', () => {
    expect(expectedVersionFromIfMatch({ kind: 'any' }, 9)).toBe(9);
  });

  it('requires the current version when the list holds it', () => {
    expect(expectedVersionFromIfMatch(parseIfMatch('"v8", "v9"'), 9)).toBe(9);
  });

  it('requires the first listed version when none is current, so the write fails with 412', () => {
    expect(expectedVersionFromIfMatch(parseIfMatch('"v7", "v8"'), 9)).toBe(7);
  });

  it('requires an impossible version when only weak tags were sent', () => {
    expect(expectedVersionFromIfMatch(parseIfMatch('W/"v9"'), 9)).toBe(-1);
  });

  it('gives no version for an invalid header', () => {
    expect(expectedVersionFromIfMatch({ kind: 'invalid' }, 9)).toBeNull();
  });

  it('matches the current version exactly when the client holds the current ETag', () => {
    fc.assert(
      fc.property(versionArb, versionArb, (held, current) => {
        const expected = expectedVersionFromIfMatch(parseIfMatch(versionToETag(held)), current);
        expect(expected === current).toBe(held === current);
      }),
    );
  });
});

describe('ifNoneMatchHits', () => {
  it('hits on the current tag, strong or weak (GET compares weakly, RFC 9110 §13.1.2)', () => {
    expect(ifNoneMatchHits('"v5"', 5)).toBe(true);
    expect(ifNoneMatchHits('W/"v5"', 5)).toBe(true);
    expect(ifNoneMatchHits('"v4", "v5"', 5)).toBe(true);
  });

  it('hits on *', () => {
    expect(ifNoneMatchHits('*', 5)).toBe(true);
  });

  it('misses on a stale or foreign tag', () => {
    expect(ifNoneMatchHits('"v4"', 5)).toBe(false);
    expect(ifNoneMatchHits('W/"v4", "abc"', 5)).toBe(false);
    expect(ifNoneMatchHits('', 5)).toBe(false);
  });
});
