/**
 * Run an app (or API processes) on either idempotency store: for `upstash`, a bridge to the real
 * Redis at REDIS_URL speaking the Upstash REST protocol, with a key prefix of its own that is
 * deleted on close, so test runs never see each other's keys.
 */
import { randomUUID } from 'node:crypto';
import { startUpstashBridge } from '@quickeats/upstash-bridge';
import { Redis } from '@upstash/redis';

export type StoreKind = 'postgres' | 'upstash';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface StoreUnderTest {
  /** Environment variables selecting the store (empty for Postgres, the default). */
  env: Record<string, string>;
  /** REST calls the Upstash bridge received so far (Upstash only). */
  restCalls?: () => number;
  close(): Promise<void>;
}

export async function idempotencyStore(kind: StoreKind, label: string): Promise<StoreUnderTest> {
  if (kind === 'postgres') return { env: {}, close: async () => {} };
  const bridge = await startUpstashBridge({ redisUrl: REDIS_URL });
  const prefix = `qe-test:${label}:${randomUUID()}:`;
  return {
    env: {
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      IDEMPOTENCY_REDIS_PREFIX: prefix,
      // Rate-limit windows under the same prefix, so they are deleted with it too.
      RATE_LIMIT_REDIS_PREFIX: `${prefix}ratelimit:`,
    },
    restCalls: () => bridge.requests(),
    close: async () => {
      const redis = new Redis({ url: bridge.url, token: bridge.token, automaticDeserialization: false });
      const keys = (await redis.keys(`${prefix}*`)) as string[];
      if (keys.length > 0) await redis.del(...keys);
      await bridge.close();
    },
  };
}
