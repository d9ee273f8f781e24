/** Picks the idempotency store from configuration: Upstash Redis when configured, else Postgres. */
import type { Database } from '@quickeats/db';
import { Redis } from '@upstash/redis';
import type { Config } from '../config';
import { PostgresIdempotencyStore } from './postgres-store';
import type { IdempotencyStore } from './store';
import { UpstashIdempotencyStore } from './upstash-store';

export function createIdempotencyStore(
  config: Pick<Config, 'upstash' | 'idempotency'>,
  db: Database,
): IdempotencyStore {
  const timing = {
    leaseSeconds: config.idempotency.leaseSeconds,
    retentionSeconds: config.idempotency.retentionSeconds,
  };
  if (!config.upstash) return new PostgresIdempotencyStore(db, timing);
  const redis = new Redis({
    url: config.upstash.url,
    token: config.upstash.token,
    // Records are JSON strings the Lua scripts decode; the store parses them itself.
    automaticDeserialization: false,
    enableTelemetry: false,
    // Redis down is answered 503 (Retry-After) within about a second, not after the client's
    // default five retries (~4.5 s). Keyed writes do not fall back to PostgreSQL: the in-flight
    // lease lives in Redis, and a second lease store would let two processes run one key at once.
    retry: { retries: 2, backoff: (retryCount) => 100 * 2 ** retryCount },
  });
  return new UpstashIdempotencyStore(redis, db, timing, { keyPrefix: config.idempotency.redisKeyPrefix });
}
