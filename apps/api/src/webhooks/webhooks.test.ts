/**
 * Webhooks end to end on real PostgreSQL with a real HTTP receiver: registration and its scoping
 * (REST and tRPC from one schema), Standard Webhooks signatures the `standardwebhooks` package
 * verifies, event-type filters, the delivery log, a receiver down for a while (retries on the
 * compressed schedule, then everything arrives), a permanently failing one (its endpoint ends
 * disabled, with its log), redeliver, pause/resume and secret rotation.
 */
import { DEMO_ACCOUNTS } from '@quickeats/db';
import { webhookMessageId } from '@quickeats/domain';
import { waitFor } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../observability/metrics';
import { type DemoClients, demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';
import { startTestReceiver, type TestReceiver } from '../testing/webhook-receiver';
import { createCaller } from '../trpc/root';

// Five retries after the first attempt, compressed from Svix's hours to fractions of a second.
const SCHEDULE = [0.1, 0.2, 0.3, 0.4, 0.5];
let t: TestApp;
let c: DemoClients;
const receivers: TestReceiver[] = [];
const metrics = createMetrics();

beforeAll(async () => {
  t = await createTestApp({
    seed: { orders: 0 },
    webhooks: true,
    metrics,
    env: {
      WEBHOOK_RETRY_SCHEDULE: SCHEDULE.join(','),
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_QUEUE_POLL_SECONDS: '0.5',
      WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: '3600',
    },
  });
  c = await demoClients(t);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

type Doc = { data: { id: string; attributes: Record<string, unknown> } };

async function request(token: string, method: string, path: string, body?: unknown) {
  const res = await t.app.request(`/api/v2${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Doc & { code?: string } };
}
const ownerToken = () => t.tokenFor(DEMO_ACCOUNTS.owner);

async function register(body: unknown, token?: string) {
  const res = await request(token ?? (await ownerToken()), 'POST', '/webhook-endpoints', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id, secret: res.body.data.attributes.secret as string };
}

async function receiverWithEndpoint(events?: string[]) {
  const receiver = await startTestReceiver();
  receivers.push(receiver);
  const endpoint = await register({ url: receiver.url, ...(events ? { events } : {}) });
  receiver.setSecrets([endpoint.secret]);
  return { receiver, endpoint };
}

async function deliveries(endpointId: string) {
  const res = await request(
    await ownerToken(),
    'GET',
    `/webhook-endpoints/${endpointId}/deliveries?limit=200`,
  );
  expect(res.status).toBe(200);
  return (res.body as unknown as { data: { id: string; attributes: Record<string, unknown> }[] }).data;
}

describe('registering webhook endpoints', () => {
  it('answers 201 with a whsec_ secret once; plain body or JSON:API document; scoped to owners and admins', async () => {
    const plain = await request(await ownerToken(), 'POST', '/webhook-endpoints', {
      url: 'https://partner.invalid/hooks',
      events: ['order.paid'],
    });
    expect(plain.status).toBe(201);
    expect(plain.body.data.attributes).toMatchObject({
      url: 'https://partner.invalid/hooks',
      events: ['order.paid'],
      status: 'active',
    });
    expect(plain.body.data.attributes.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);

    const jsonApi = await request(await ownerToken(), 'POST', '/webhook-endpoints', {
      data: { type: 'webhook-endpoints', attributes: { url: 'https://partner.invalid/other' } },
    });
    expect(jsonApi.status).toBe(201);
    expect(jsonApi.body.data.attributes.events).toBeNull();

    // The secret is never answered again.
    const read = await request(await ownerToken(), 'GET', `/webhook-endpoints/${plain.body.data.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data.attributes).not.toHaveProperty('secret');

    // Customers and riders may not; another owner does not see it; an admin does.
    const customer = await request(await t.tokenFor(DEMO_ACCOUNTS.customer), 'POST', '/webhook-endpoints', {
      url: 'https://x.example',
    });
    expect(customer.status).toBe(403);
    const other = await request(
      await t.tokenFor('owner2@quickeats.test'),
      'GET',
      `/webhook-endpoints/${plain.body.data.id}`,
    );
    expect(other.status).toBe(404);
    const admin = await request(
      await t.tokenFor(DEMO_ACCOUNTS.admin),
      'GET',
      `/webhook-endpoints/${plain.body.data.id}`,
    );
    expect(admin.status).toBe(200);
    const otherList = await request(await t.tokenFor('owner2@quickeats.test'), 'GET', '/webhook-endpoints');
    expect(otherList.body.data as unknown as unknown[]).toEqual([]);

    // Deleted (they point nowhere: the delivery tests below count failures).
    for (const id of [plain.body.data.id, jsonApi.body.data.id]) {
      expect((await request(await ownerToken(), 'DELETE', `/webhook-endpoints/${id}`)).status).toBe(204);
      expect((await request(await ownerToken(), 'GET', `/webhook-endpoints/${id}`)).status).toBe(404);
    }
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const before = await request(await ownerToken(), 'GET', '/webhook-endpoints');
    for (const body of [
      { url: 'ftp://partner.invalid' },
      { url: 'not a url' },
      { url: 'https://partner.invalid', events: ['order.teleported'] },
      { url: 'https://partner.invalid', events: [] },
      { url: 'https://partner.invalid', extra: 1 },
    ]) {
      const res = await request(await ownerToken(), 'POST', '/webhook-endpoints', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const after = await request(await ownerToken(), 'GET', '/webhook-endpoints');
    expect(after.body.data).toEqual(before.body.data);
  });

  it('tRPC manages the same endpoints with the same schemas', async () => {
    const caller = createCaller({
      deps: t.deps,
      actor: await t.actorFor(DEMO_ACCOUNTS.owner),
      requestId: 'test',
      log: t.deps.logger,
    });
    const created = await caller.webhooks.create({ url: 'https://partner.invalid/trpc' });
    expect(created.secret).toMatch(/^whsec_/);
    expect((await caller.webhooks.list()).map((e) => e.id)).toContain(created.id);
    const paused = await caller.webhooks.update({ endpointId: created.id, status: 'paused' });
    expect(paused.status).toBe('paused');
    const rotated = await caller.webhooks.rotateSecret({ endpointId: created.id });
    expect(rotated.secret).not.toBe(created.secret);
    await caller.webhooks.delete({ endpointId: created.id });
    await expect(caller.webhooks.get({ endpointId: created.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const customer = createCaller({
      deps: t.deps,
      actor: await t.actorFor(DEMO_ACCOUNTS.customer),
      requestId: 'test',
      log: t.deps.logger,
    });
    await expect(customer.webhooks.create({ url: 'https://x.example' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

describe('delivering', () => {
  it('sends each event the owner may see, signed (Standard Webhooks), once, and logs the attempt', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint();
    const { receiver: paidOnly } = await receiverWithEndpoint(['order.paid']);
    const otherReceiver = await startTestReceiver();
    receivers.push(otherReceiver);
    await register({ url: otherReceiver.url }, await t.tokenFor('owner2@quickeats.test'));

    const order = await orderIn(t, c, 'accepted');
    await waitFor(() => receiver.delivered.size >= 3, { description: 'three events delivered' });
    await waitFor(() => paidOnly.delivered.size >= 1, { description: 'the paid event delivered' });
    // Deliveries are independent jobs and may arrive in any order (the README says so): the
    // payload's position orders them.
    const types = [...receiver.delivered.values()]
      .sort((a, b) => Number(a.data.position) - Number(b.data.position))
      .map((p) => p.type);
    expect(types).toEqual(['order.created', 'order.paid', 'order.accepted']);
    for (const r of receiver.received) {
      expect(r.verified).toBe(true);
      expect(r.signature).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
      expect(r.payload.data.orderId).toBe(order.id);
      expect(Number(r.timestamp)).toBeGreaterThan(Date.now() / 1000 - 600);
    }
    expect(receiver.received).toHaveLength(3);
    expect([...paidOnly.delivered.values()].map((p) => p.type)).toEqual(['order.paid']);
    // Another restaurant's owner receives nothing of this order.
    expect(otherReceiver.received).toHaveLength(0);

    // The receiver answered before the outcome was committed: wait for the log to say so.
    const log = await waitFor(async () => {
      const list = await deliveries(endpoint.id);
      return list.length === 3 && list.every((d) => d.attributes.status === 'succeeded') && list;
    });
    for (const d of log) {
      expect(d.attributes).toMatchObject({ status: 'succeeded', attempts: 1, lastResponseStatus: 204 });
      const attempts = d.attributes.log as {
        responseStatus: number;
        succeeded: boolean;
        latencyMs: number;
      }[];
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ responseStatus: 204, succeeded: true });
      expect(receiver.delivered.has(d.id)).toBe(true);
    }
    const one = await request(
      await ownerToken(),
      'GET',
      `/webhook-endpoints/${endpoint.id}/deliveries/${log[0]!.id}`,
    );
    expect(one.status).toBe(200);
    expect(one.body.data.id).toBe(log[0]!.id);
  });

  it('a receiver down for a while gets every event once it is back (retries with backoff)', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint();
    receiver.stage('fail', 4);
    await orderIn(t, c, 'paid');
    await waitFor(() => receiver.delivered.size >= 2, {
      description: 'both events delivered after failures',
    });
    const log = await waitFor(async () => {
      const list = await deliveries(endpoint.id);
      return list.length === 2 && list.every((d) => d.attributes.status === 'succeeded') && list;
    });
    const attempts = log.flatMap((d) => d.attributes.log as { succeeded: boolean; responseStatus: number }[]);
    expect(attempts.filter((a) => !a.succeeded)).toHaveLength(4);
    expect(attempts.filter((a) => !a.succeeded).every((a) => a.responseStatus === 500)).toBe(true);
    const ep = await request(await ownerToken(), 'GET', `/webhook-endpoints/${endpoint.id}`);
    expect(ep.body.data.attributes.status).toBe('active');
  });

  it('a permanently failing endpoint ends disabled with its log; re-enabled, a redeliver arrives with the same webhook-id', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint(['order.created']);
    receiver.stage('fail');
    const before = await metricValue('quickeats_webhook_deliveries_total', 'endpoint_disabled');
    await orderIn(t, c, 'pending');
    const disabled = await waitFor(
      async () => {
        const ep = await request(await ownerToken(), 'GET', `/webhook-endpoints/${endpoint.id}`);
        return ep.body.data.attributes.status === 'disabled' && ep.body.data.attributes;
      },
      { description: 'the endpoint disabled' },
    );
    expect(disabled.disabledReason).toMatch(/every delivery attempt failed since/);
    const [failed] = await deliveries(endpoint.id);
    expect(failed!.attributes.status).toBe('failed');
    expect(failed!.attributes.log).toHaveLength(SCHEDULE.length + 1);
    expect(receiver.received).toHaveLength(SCHEDULE.length + 1);
    expect(await metricValue('quickeats_webhook_deliveries_total', 'endpoint_disabled')).toBe(before + 1);

    // While disabled, a redeliver is refused; re-enabled it goes out with the same webhook-id.
    const refused = await request(
      await ownerToken(),
      'POST',
      `/webhook-endpoints/${endpoint.id}/deliveries/${failed!.id}/redeliver`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK_ENDPOINT_INACTIVE');
    receiver.stage('ok');
    const resumed = await request(await ownerToken(), 'PATCH', `/webhook-endpoints/${endpoint.id}`, {
      status: 'active',
    });
    expect(resumed.body.data.attributes).toMatchObject({ status: 'active', disabledReason: null });
    const queued = await request(
      await ownerToken(),
      'POST',
      `/webhook-endpoints/${endpoint.id}/deliveries/${failed!.id}/redeliver`,
    );
    expect(queued.status).toBe(202);
    await waitFor(() => receiver.delivered.has(failed!.id), { description: 'the redelivery' });
    const [after] = await waitFor(async () => {
      const list = await deliveries(endpoint.id);
      return list[0]?.attributes.status === 'succeeded' && list;
    });
    expect(after!.attributes).toMatchObject({ status: 'succeeded', attempts: SCHEDULE.length + 2 });
  });

  it('a paused endpoint holds its deliveries and sends them on resume', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint(['order.created']);
    const token = await ownerToken();
    expect(
      (await request(token, 'PATCH', `/webhook-endpoints/${endpoint.id}`, { status: 'paused' })).status,
    ).toBe(200);
    await orderIn(t, c, 'pending');
    const [held] = await waitFor(async () => {
      const list = await deliveries(endpoint.id);
      return list.length > 0 && list;
    });
    expect(held!.attributes.status).toBe('held');
    expect(receiver.received).toHaveLength(0);
    await request(token, 'PATCH', `/webhook-endpoints/${endpoint.id}`, { status: 'active' });
    await waitFor(() => receiver.delivered.has(held!.id), {
      description: 'the held delivery sent on resume',
    });
  });

  it('after a secret rotation deliveries carry signatures with the new and the previous secret', async () => {
    const { receiver, endpoint } = await receiverWithEndpoint(['order.created']);
    const rotated = await request(
      await ownerToken(),
      'POST',
      `/webhook-endpoints/${endpoint.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    const secret = rotated.body.data.attributes.secret as string;
    expect(secret).not.toBe(endpoint.secret);
    receiver.setSecrets([secret]);
    await orderIn(t, c, 'pending');
    await waitFor(() => receiver.delivered.size >= 1, {
      description: 'a delivery signed with the new secret',
    });
    const [r] = receiver.received;
    expect(r!.signature.split(' ')).toHaveLength(2);
    // Verifies with the previous secret alone too (receivers switch over without losing any).
    const { Webhook } = await import('standardwebhooks');
    expect(() =>
      new Webhook(endpoint.secret).verify(r!.body, {
        'webhook-id': r!.id,
        'webhook-timestamp': r!.timestamp,
        'webhook-signature': r!.signature,
      }),
    ).not.toThrow();
    expect(r!.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookMessageId('00000000-0000-4000-8000-000000000000')).toBe(
      'msg_00000000000040008000000000000000',
    );
  });
});

async function metricValue(name: string, outcome: string): Promise<number> {
  const text = await metrics.registry!.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{outcome="${outcome}"}`));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}
