/**
 * The API's rate limits, built once per process from configuration (see limiter.ts for how they
 * count): sign-in attempts per account and per client address, and writes per user.
 */
import { Redis } from '@upstash/redis';
import type { Context } from 'hono';
import type { Config } from '../config';
import {
  type Decision,
  MemoryWindowCounter,
  type Policy,
  type RateLimitRefusal,
  rateLimitedError,
  rateLimitHeaders,
  UpstashWindowCounter,
  type WindowCounter,
} from './limiter';

export { type RateLimitRefusal, rateLimitHeaders } from './limiter';

export interface RateLimits {
  /** Where the windows are counted: shared `redis`, or this process's `memory`. */
  kind: 'redis' | 'memory';
  /**
   * Count a token request for `account` (the e-mail as sent, known or not: unknown accounts get the
   * same answers) from `address`. Throws the 429 when either window is full; else returns the
   * response fields of the tighter one.
   */
  login(account: string, address: string | undefined): Promise<Record<string, string>>;
  /** A correct password clears the account's window (the address window keeps counting). */
  loginSucceeded(account: string): Promise<void>;
  /** Count a write by `userId`; throws the 429 when the window is full, else returns its fields. */
  write(userId: string): Promise<Record<string, string>>;
  /** Hook for metrics: called on every refusal. Returns the unsubscribe function. */
  onRefusal(listener: (refusal: RateLimitRefusal) => void): () => void;
}

export function createRateLimits(config: Pick<Config, 'rateLimits' | 'upstash'>): RateLimits {
  const { login, writes, redisKeyPrefix } = config.rateLimits;
  const redis = config.upstash
    ? new Redis({ url: config.upstash.url, token: config.upstash.token, enableTelemetry: false })
    : undefined;
  const counter = (policy: Policy): WindowCounter | null => {
    if (policy.limit === 0) return null;
    return redis ? new UpstashWindowCounter(redis, policy, redisKeyPrefix) : new MemoryWindowCounter(policy);
  };
  const account = counter({
    name: 'login-account',
    limit: login.perAccount,
    windowSeconds: login.windowSeconds,
  });
  const address = counter({
    name: 'login-address',
    limit: login.perAddress,
    windowSeconds: login.windowSeconds,
  });
  const write = counter({ name: 'writes', limit: writes.perUser, windowSeconds: writes.windowSeconds });

  const listeners = new Set<(refusal: RateLimitRefusal) => void>();
  const decide = (decisions: Decision[]): Record<string, string> => {
    const refused = decisions.find((d) => !d.allowed);
    if (refused) {
      const error = rateLimitedError(refused);
      const refusal = { policy: refused.policy.name, retryAfterSeconds: error.extras.retryAfterSeconds ?? 1 };
      for (const listener of listeners) listener(refusal);
      throw error;
    }
    const tightest = decisions.sort((a, b) => a.remaining - b.remaining)[0];
    return tightest ? rateLimitHeaders(tightest) : {};
  };

  return {
    kind: redis ? 'redis' : 'memory',
    async login(email, from) {
      const key = email.trim().toLowerCase();
      const decisions = await Promise.all([
        account?.hit(key),
        from === undefined ? undefined : address?.hit(from),
      ]);
      return decide(decisions.filter((d): d is Decision => d !== undefined));
    },
    async loginSucceeded(email) {
      await account?.reset(email.trim().toLowerCase());
    },
    async write(userId) {
      return decide(write ? [await write.hit(userId)] : []);
    },
    onRefusal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The client's address: the socket's peer, or — behind a proxy that sets it (TRUST_PROXY) — the
 * last `X-Forwarded-For` entry, the one our proxy appended (earlier entries are the client's word).
 */
export function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
