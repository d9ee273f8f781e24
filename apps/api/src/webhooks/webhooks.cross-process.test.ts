/**
 * Webhooks across real API processes on real PostgreSQL: an API process SIGKILLed while a delivery
 * is in flight loses nothing (another process makes the attempt once the lease ends), a receiver
 * that fails for the first part of the run and then comes back gets every event, every signature
 * verifies, and duplicates (at-least-once) carry the same `webhook-id`.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type RunningProvider, startProvider } from '@quickeats/payment-provider';
import { waitFor } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../events/outbox';
import { driveOrders, type LoadWorld, loadWorld } from '../testing/order-load';
import { type ApiProcess, startApiProcess, TEST_TOKEN_SECRET } from '../testing/test-app';
import { startTestReceiver, type TestReceiver } from '../testing/webhook-receiver';

let database: TestDatabase;
let provider: RunningProvider;
let world: LoadWorld;
let receiver: TestReceiver;
const apis: ApiProcess[] = [];

const env = () => ({
  DATABASE_URL: database.url,
  PAYMENT_PROVIDER_URL: provider.url,
  DATABASE_POOL_SIZE: '4',
  WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.8,1.6,3,3,3,3,3,3',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_QUEUE_POLL_SECONDS: '0.5',
  WEBHOOK_QUEUE_MAINTENANCE_SECONDS: '1',
});

beforeAll(async () => {
  database = await createTestDatabase({ seed: { orders: 0 }, maxConnections: 3 });
  provider = await startProvider({ port: 0 });
  world = await loadWorld(database.db, TEST_TOKEN_SECRET);
  receiver = await startTestReceiver();
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.stop('SIGKILL').catch(() => null)));
  await receiver?.close();
  await provider?.close();
  await database?.close();
});

describe('webhooks across processes', () => {
  it('a process killed mid-delivery and a receiver down for a while lose nothing', async () => {
    const first = await startApiProcess(env());
    apis.push(first);
    const res = await fetch(`${first.url}/api/v2/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { attributes: { secret: string } } };
    receiver.setSecrets([data.attributes.secret]);

    // The first delivery hangs at the receiver; its process is killed mid-attempt.
    receiver.stage('hang');
    await driveOrders({ urls: [first.url], world, orders: 1, concurrency: 1 });
    await waitFor(() => receiver.received.some((r) => r.answered === 'hung'), {
      description: 'a delivery in flight',
    });
    await first.stop('SIGKILL');
    receiver.releaseHung();

    // Down for the first part of the rest of the run, then back.
    receiver.stage('ok');
    receiver.stage('fail', 15);
    apis.push(await startApiProcess(env()), await startApiProcess(env()));
    await driveOrders({ urls: apis.slice(1).map((a) => a.url), world, orders: 10, concurrency: 4 });

    const all = await readOutbox(database.db, 0n, 1_000_000);
    expect(all).toHaveLength(11 * 6);
    const positions = () => new Set([...receiver.delivered.values()].map((p) => p.data.position));
    await waitFor(() => all.every((e) => positions().has(e.event.position)), {
      description: 'every event delivered',
      timeoutMs: 240_000,
    });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // One webhook-id per event: retries and the killed attempt's redo reuse it.
    expect(receiver.delivered.size).toBe(all.length);
    const idsByPosition = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const ids = idsByPosition.get(r.payload.data.position) ?? new Set();
      ids.add(r.id);
      idsByPosition.set(r.payload.data.position, ids);
    }
    expect([...idsByPosition.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(receiver.received.filter((r) => r.answered === 500)).toHaveLength(15);
  }, 900_000);
});
