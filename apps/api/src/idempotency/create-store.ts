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
  });
  return new UpstashIdempotencyStore(redis, db, timing, { keyPrefix: config.idempotency.redisKeyPrefix });
}
