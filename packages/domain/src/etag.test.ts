import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  etagToVersion,
  expectedVersionFromIfMatch,
  ifMatchFailedDetail,
  ifNoneMatchHits,
  parseEntityTags,
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

describe('parseEntityTags (RFC 9110 §8.8.3)', () => {
  it('reads any valid entity tag, ours or not, weak or strong', () => {
    expect(parseEntityTags('"abc", W/"v2", ""')).toEqual([
      { weak: false, opaque: '"abc"' },
      { weak: true, opaque: '"v2"' },
      { weak: false, opaque: '""' },
    ]);
  });

  it('keeps a comma inside a tag and tolerates empty list elements', () => {
    expect(parseEntityTags(' ,"a,b" ,, "c",')).toEqual([
      { weak: false, opaque: '"a,b"' },
      { weak: false, opaque: '"c"' },
    ]);
  });

  it.each([[''], [' , '], ['v3'], ['"v3'], ['"v3" "v4"'], ['"v3", *'], ['w/"v3"'], ['"a b"']])(
    'refuses %j as malformed',
    (header) => {
      expect(parseEntityTags(header)).toBeNull();
    },
  );
});

describe('parseIfMatch', () => {
  it('reads * as any current representation', () => {
    expect(parseIfMatch(' * ')).toEqual({ kind: 'any' });
  });

  it('reads a list of strong tags', () => {
    expect(parseIfMatch('"v3", "v4"')).toEqual({ kind: 'versions', versions: [3, 4], weak: 0, foreign: 0 });
  });

  it('counts tags this API never issued as foreign: valid, never matching', () => {
    expect(parseIfMatch('"999999"')).toEqual({ kind: 'versions', versions: [], weak: 0, foreign: 1 });
    expect(parseIfMatch('"abc", "v2"')).toEqual({ kind: 'versions', versions: [2], weak: 0, foreign: 1 });
  });

  it('drops weak tags, because If-Match compares strongly (RFC 9110 §13.1.1)', () => {
    expect(parseIfMatch('W/"v3", "v4"')).toEqual({ kind: 'versions', versions: [4], weak: 1, foreign: 0 });
    expect(parseIfMatch('W/"v3"')).toEqual({ kind: 'versions', versions: [], weak: 1, foreign: 0 });
  });

  it.each([[''], [' , '], ['"v3", garbage'], ['"v3", *']])('refuses %j as invalid', (header) => {
    expect(parseIfMatch(header)).toEqual({ kind: 'invalid' });
  });
});

describe('ifMatchFailedDetail', () => {
  it('explains that a weak tag never matches, and names the current ETag', () => {
    const detail = ifMatchFailedDetail(parseIfMatch('W/"v1"'), 1);
    expect(detail).toContain('weak');
    expect(detail).toContain('"v1"');
    expect(detail).not.toMatch(/-1|version 0/);
  });

  it('names a stale version and foreign tags', () => {
    expect(ifMatchFailedDetail(parseIfMatch('"v1"'), 2)).toMatch(/version 1.*version 2 \(ETag "v2"\)/);
    expect(ifMatchFailedDetail(parseIfMatch('"999999"'), 2)).toContain('never issued');
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

  it('requires an impossible version (0) when only weak or foreign tags were sent', () => {
    expect(expectedVersionFromIfMatch(parseIfMatch('W/"v9"'), 9)).toBe(0);
    expect(expectedVersionFromIfMatch(parseIfMatch('"abc"'), 9)).toBe(0);
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
    expect(ifNoneMatchHits('"abc", W/"v5"', 5)).toBe(true);
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
