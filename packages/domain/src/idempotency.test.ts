import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_LEASE_SECONDS,
  IDEMPOTENCY_RETENTION_SECONDS,
  type IdempotencyRecord,
  isStorableStatus,
  judgeIdempotency,
  parseIdempotencyKey,
  requestFingerprint,
  requiresIdempotencyKey,
} from './idempotency';
import { ORDER_ACTIONS } from './order-lifecycle';

/** RFC 8941 §4.1.6: serialise a string as an sf-string. */
function sfString(key: string): string {
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const printableAscii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});

describe('parseIdempotencyKey', () => {
  it.each([
    [1, true],
    [255, true],
    [256, false],
  ])('bare key of length %i → accepted: %s', (length, ok) => {
    expect(parseIdempotencyKey('k'.repeat(length)).ok).toBe(ok);
  });

  it.each([
    [1, true],
    [255, true],
    [256, false],
  ])(
    'quoted key of length %i → accepted: %s (the limit applies to the key, not the quotes)',
    (length, ok) => {
      expect(parseIdempotencyKey(`"${'k'.repeat(length)}"`).ok).toBe(ok);
    },
  );

  it('refuses an empty key, bare or quoted', () => {
    expect(parseIdempotencyKey('')).toMatchObject({ ok: false, reason: 'must not be empty' });
    expect(parseIdempotencyKey('   ')).toMatchObject({ ok: false });
    expect(parseIdempotencyKey('""')).toMatchObject({ ok: false, reason: 'must not be empty' });
  });

  it('returns the key as given, without surrounding whitespace', () => {
    expect(parseIdempotencyKey('  8e3c1f2a-order-42  ')).toEqual({ ok: true, key: '8e3c1f2a-order-42' });
  });

  it('unquotes the structured-field string form, resolving \\" and \\\\ escapes', () => {
    expect(parseIdempotencyKey('"abc-123"')).toEqual({ ok: true, key: 'abc-123' });
    expect(parseIdempotencyKey(String.raw`"a\"b\\c"`)).toEqual({ ok: true, key: 'a"b\\c' });
  });

  it.each([
    ['unterminated', '"abc'],
    ['a lone quote', '"'],
    ['text after the closing quote', '"abc"def'],
    ['an escape other than \\" or \\\\', String.raw`"a\nb"`],
    ['a trailing backslash', '"abc\\'],
    ['an unescaped quote inside', '"a"b"'],
  ])('refuses a malformed quoted key: %s', (_case, header) => {
    expect(parseIdempotencyKey(header)).toMatchObject({
      ok: false,
      reason: 'malformed structured-field string',
    });
  });

  it.each([
    ['Cyrillic', 'ключ-1'],
    ['Latin-1', 'café'],
    ['an emoji', 'order-🍕'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['DEL', 'a\x7fb'],
    ['NUL', 'a\x00b'],
  ])('refuses a key containing %s, bare or quoted', (_case, key) => {
    expect(parseIdempotencyKey(key)).toMatchObject({ ok: false });
    expect(parseIdempotencyKey(`"${key}"`)).toMatchObject({ ok: false });
  });

  it('accepts any 1–255 printable ASCII key in its structured-field form and returns it unchanged', () => {
    fc.assert(
      fc.property(
        printableAscii.filter((k) => k.length >= 1 && k.length <= IDEMPOTENCY_KEY_MAX_LENGTH),
        (key) => {
          expect(parseIdempotencyKey(sfString(key))).toEqual({ ok: true, key });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts any bare printable ASCII key that is not quoted or padded', () => {
    fc.assert(
      fc.property(
        printableAscii.filter((k) => k.length >= 1 && k.trim() === k && !k.startsWith('"')),
        (key) => {
          expect(parseIdempotencyKey(key)).toEqual({ ok: true, key });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('requestFingerprint', () => {
  const base = {
    method: 'POST',
    route: '/api/v2/orders/:id/pay',
    body: { reason: 'x', tip: { amount: 100 } },
  };

  it('is a SHA-256 hex digest', () => {
    expect(requestFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order or on the whitespace of the JSON the body was parsed from', () => {
    const compact = JSON.parse('{"reason":"x","tip":{"amount":100}}');
    const pretty = JSON.parse('{\n  "tip" : { "amount" : 100 },\n  "reason" : "x"\n}');
    expect(requestFingerprint({ ...base, body: compact })).toBe(requestFingerprint(base));
    expect(requestFingerprint({ ...base, body: pretty })).toBe(requestFingerprint(base));
  });

  it('treats the method case-insensitively, as HTTP methods are tokens clients send in any case', () => {
    expect(requestFingerprint({ ...base, method: 'post' })).toBe(requestFingerprint(base));
  });

  it('differs when the method, the route or the body differs', () => {
    const fp = requestFingerprint(base);
    expect(requestFingerprint({ ...base, method: 'PUT' })).not.toBe(fp);
    expect(requestFingerprint({ ...base, route: '/api/v2/orders' })).not.toBe(fp);
    expect(requestFingerprint({ ...base, body: { reason: 'y', tip: { amount: 100 } } })).not.toBe(fp);
    expect(requestFingerprint({ ...base, body: { reason: 'x', tip: { amount: 101 } } })).not.toBe(fp);
    expect(requestFingerprint({ ...base, body: { reason: 'x' } })).not.toBe(fp);
  });

  it('differs for any two bodies with different canonical JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const same = requestFingerprint({ ...base, body: a }) === requestFingerprint({ ...base, body: b });
        // Equal fingerprints are allowed only for the same value written with another key order.
        if (same) expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
      }),
    );
  });
});

describe('judgeIdempotency', () => {
  const now = new Date('2025-01-01T12:00:00.000Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const completed: IdempotencyRecord = {
    state: 'completed',
    fingerprint: 'fp-1',
    status: 201,
    headers: { 'content-type': 'application/vnd.api+json', etag: '"v2"' },
    body: '{"data":{"id":"1"}}',
  };

  it('executes a request whose key was never seen', () => {
    expect(judgeIdempotency(null, 'fp-1', now)).toEqual({ kind: 'execute' });
  });

  it('reports a mismatch for the same key with another fingerprint, whether completed or in flight', () => {
    expect(judgeIdempotency(completed, 'fp-2', now)).toEqual({ kind: 'mismatch' });
    expect(
      judgeIdempotency({ state: 'in-flight', fingerprint: 'fp-1', leaseExpiresAt: at(10_000) }, 'fp-2', now),
    ).toEqual({
      kind: 'mismatch',
    });
  });

  it('replays a completed response exactly as stored', () => {
    expect(judgeIdempotency(completed, 'fp-1', now)).toEqual({
      kind: 'replay',
      status: 201,
      headers: completed.headers,
      body: completed.body,
    });
  });

  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [IDEMPOTENCY_LEASE_SECONDS * 1000, IDEMPOTENCY_LEASE_SECONDS],
  ])('answers in-flight with Retry-After rounded up (lease ends in %i ms → %i s)', (ms, seconds) => {
    expect(
      judgeIdempotency({ state: 'in-flight', fingerprint: 'fp-1', leaseExpiresAt: at(ms) }, 'fp-1', now),
    ).toEqual({
      kind: 'in-flight',
      retryAfterSeconds: seconds,
    });
  });

  it('never asks to retry after less than 1 s, nor after the lease has ended', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: IDEMPOTENCY_LEASE_SECONDS * 1000 }), (ms) => {
        const v = judgeIdempotency(
          { state: 'in-flight', fingerprint: 'fp-1', leaseExpiresAt: at(ms) },
          'fp-1',
          now,
        );
        if (v.kind !== 'in-flight') throw new Error(`expected in-flight, got ${v.kind}`);
        expect(v.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(v.retryAfterSeconds * 1000).toBeGreaterThanOrEqual(ms);
        expect((v.retryAfterSeconds - 1) * 1000).toBeLessThan(ms);
      }),
    );
  });

  it.each([
    ['ends exactly now', 0],
    ['ended a moment ago', -1],
    ['ended long ago', -3_600_000],
  ])('executes again when the in-flight lease %s (its process died)', (_case, ms) => {
    expect(
      judgeIdempotency({ state: 'in-flight', fingerprint: 'fp-1', leaseExpiresAt: at(ms) }, 'fp-1', now),
    ).toEqual({
      kind: 'execute',
    });
  });
});

describe('isStorableStatus', () => {
  it.each([200, 201, 204, 400, 403, 404, 409, 412, 422, 428])('stores a final %i', (status) => {
    expect(isStorableStatus(status)).toBe(true);
  });

  it.each([500, 502, 503, 504])('does not store a %i, so the retry runs again', (status) => {
    expect(isStorableStatus(status)).toBe(false);
  });
});

describe('idempotency constants', () => {
  it('keeps completed responses for at least 24 h and leases shorter than that', () => {
    expect(IDEMPOTENCY_RETENTION_SECONDS).toBeGreaterThanOrEqual(24 * 60 * 60);
    expect(IDEMPOTENCY_LEASE_SECONDS).toBeGreaterThan(0);
    expect(IDEMPOTENCY_LEASE_SECONDS).toBeLessThan(IDEMPOTENCY_RETENTION_SECONDS);
  });
});

describe('requiresIdempotencyKey', () => {
  it('requires a key on create and pay only (SPEC), and on no other action', () => {
    expect(requiresIdempotencyKey('create')).toBe(true);
    expect(ORDER_ACTIONS.filter((a) => requiresIdempotencyKey(a))).toEqual(['pay']);
  });
});
