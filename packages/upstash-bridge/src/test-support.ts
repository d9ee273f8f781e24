/**
 * Shared test fixtures (not exported from the package): the real Redis the tests use, a key prefix
 * unique to this run so parallel runs never see each other's keys, and cleanup of that prefix.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
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

/** A Redis server of the test's own on a free port (to kill it without touching the shared one). */
export async function startOwnRedis(): Promise<{ url: string; kill: () => Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  // Ready when it answers (waits on the condition; the test's own bound ends a server that never starts).
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    const client = createClient({ url, RESP: 2 }).on('error', () => {});
    const up = await client.connect().then(
      () => client.ping().finally(() => client.destroy()),
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
