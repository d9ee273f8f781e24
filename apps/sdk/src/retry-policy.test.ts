import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideRetry, isSafeToRetry, parseRetryAfterMs } from './retry-policy';

const keyed = new Headers({ 'Idempotency-Key': 'k-1' });
const none = new Headers();
const half = () => 0.5;

describe('isSafeToRetry', () => {
  it('treats GET and HEAD as safe, POST only with an Idempotency-Key', () => {
    expect(isSafeToRetry('GET', none)).toBe(true);
    expect(isSafeToRetry('head', none)).toBe(true);
    expect(isSafeToRetry('POST', keyed)).toBe(true);
    expect(isSafeToRetry('POST', none)).toBe(false);
    // Other methods carry no replay guarantee from this API.
    expect(isSafeToRetry('PUT', keyed)).toBe(false);
    expect(isSafeToRetry('DELETE', none)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially, with half of each step random', () => {
    const lo = () => 0;
    const hi = () => 0.999999;
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, { baseDelayMs: 100, random: lo }))).toEqual([
      50, 100, 200, 400,
    ]);
    expect([1, 2, 3].map((a) => backoffDelayMs(a, { baseDelayMs: 100, random: hi }))).toEqual([
      100, 200, 400,
    ]);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelayMs(30, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 })).toBe(1000);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates, and ignores garbage', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('soon')).toBeNull();
    expect(parseRetryAfterMs(null)).toBeNull();
  });
});

describe('decideRetry', () => {
  const base = { method: 'POST', headers: keyed, attempt: 1 } as const;

  it('retries network errors and 5xx of safe requests', () => {
    expect(decideRetry({ ...base, status: null }, { random: half })).toMatchObject({
      retry: true,
      reason: 'network-error',
    });
    expect(decideRetry({ ...base, status: 503 }, { random: half })).toMatchObject({
      retry: true,
      reason: 'server-error',
    });
    expect(decideRetry({ ...base, method: 'GET', headers: none, status: 502 })).toMatchObject({
      retry: true,
    });
  });

  it('never retries a POST without an Idempotency-Key, whatever happened', () => {
    for (const status of [null, 500, 503]) {
      expect(decideRetry({ ...base, headers: none, status })).toEqual({ retry: false });
    }
  });

  it('never retries a 4xx answer, including a 409 that is not "in flight"', () => {
    for (const status of [400, 401, 403, 404, 409, 412, 422, 428]) {
      expect(decideRetry({ ...base, status })).toEqual({ retry: false });
    }
  });

  it('retries a 409 in flight after its Retry-After, never sooner', () => {
    const verdict = decideRetry({ ...base, status: 409, inFlight: { retryAfterMs: 2000 } }, { random: half });
    expect(verdict).toEqual({ retry: true, reason: 'in-flight', delayMs: 2050 });
  });

  it('gives the 409 back instead of waiting longer than maxRetryAfterMs', () => {
    expect(
      decideRetry({ ...base, status: 409, inFlight: { retryAfterMs: 60_000 } }, { maxRetryAfterMs: 30_000 }),
    ).toEqual({ retry: false });
  });

  it('honours a 503 Retry-After when it is longer than the backoff', () => {
    const verdict = decideRetry({ ...base, status: 503, retryAfterMs: 4000 }, { random: half });
    expect(verdict).toMatchObject({ retry: true, delayMs: 4000 });
  });

  it('stops after maxAttempts', () => {
    expect(decideRetry({ ...base, attempt: 3, status: null }, { maxAttempts: 3 })).toEqual({ retry: false });
    expect(decideRetry({ ...base, attempt: 2, status: null }, { maxAttempts: 3 })).toMatchObject({
      retry: true,
    });
  });
});
