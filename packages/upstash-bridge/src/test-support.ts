/**
 * Shared test fixtures (not exported from the package): the real Redis the tests use, a key prefix
 * unique to this run so parallel runs never see each other's keys, and cleanup of that prefix.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';

/** CI and dev machines run Redis here (SPEC "Where data lives"); REDIS_URL overrides. */
export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const createDirect = () => createClient({ url: testRedisUrl, RESP: 2 });
export type DirectRedis = ReturnType<typeof createDirect>;

/**
 * A plain Redis client, bypassing the bridge: tests read through it to prove the bridge wrote to the
 * real server, and clean up with it.
 */
export async function connectDirect(): Promise<DirectRedis> {
  const client = createDirect();
  await client.connect();
  return client;
}

export function newKeyPrefix(suite: string): string {
  return `qe-upstash-bridge-test:${suite}:${randomUUID()}:`;
}

/** Deletes every key under `prefix` and returns how many there were. */
export async function deleteKeys(direct: DirectRedis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of direct.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) deleted += await direct.del(keys);
  }
  return deleted;
}
