import { describe, expect, it } from 'vitest';
import { MemoryWindowCounter, rateLimitedError, rateLimitHeaders } from './limiter';

const policy = { name: 'writes' as const, limit: 4, windowSeconds: 10 };

describe('the in-process sliding window', () => {
  it('allows `limit` hits per window, then refuses until the window slides', async () => {
    let now = 1_000_000; // a window boundary
    const counter = new MemoryWindowCounter(policy, () => now);
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await counter.hit('u'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([3, 2, 1, 0, 0, 0]);
    expect(decisions[4]!.resetAt).toBe(1_010_000);
    expect((await counter.hit('other')).allowed).toBe(true);

    // Half-way into the next window, half of the previous window's 4 hits still count.
    now = 1_015_000;
    expect((await counter.hit('u')).remaining).toBe(1);
    expect((await counter.hit('u')).allowed).toBe(true);
    expect((await counter.hit('u')).allowed).toBe(false);
    // Two windows later nothing is left.
    now = 1_030_000;
    expect((await counter.hit('u')).remaining).toBe(3);
    await counter.reset('u');
    expect((await counter.hit('u')).remaining).toBe(3);
  });
});

describe('the response fields', () => {
  it('follow draft-ietf-httpapi-ratelimit-headers, with Retry-After on a refusal', () => {
    const refused = { policy, allowed: false, remaining: 0, resetAt: 12_300 };
    expect(rateLimitHeaders(refused, 1_000)).toEqual({
      'RateLimit-Policy': '"writes";q=4;w=10',
      RateLimit: '"writes";r=0;t=12',
      'Retry-After': '12',
    });
    expect(rateLimitHeaders({ ...refused, allowed: true, remaining: 2 }, 1_000)).not.toHaveProperty(
      'Retry-After',
    );
    const error = rateLimitedError(refused, 1_000);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.extras.retryAfterSeconds).toBe(12);
  });
});
