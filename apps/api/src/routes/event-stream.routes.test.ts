/**
 * `GET /api/v2/event-stream` in process: scoped like the reads, `id:` = position, resume with
 * Last-Event-ID, refusals as problems before any stream. (Across processes: events/cross-process.test.ts.)
 */
import { OrderStreamEventSchema } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventFollower, followEvents, waitFor } from '../testing/event-client';
import { type DemoClients, demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';

let t: TestApp;
let c: DemoClients;
const followers: EventFollower[] = [];
const URL_BASE = 'http://api.test/api/v2/event-stream';

async function follow(email: string, options: { query?: string; lastEventId?: string } = {}) {
  const f = followEvents(`${URL_BASE}${options.query ?? ''}`, await t.tokenFor(email), {
    fetch: (u, init) => Promise.resolve(t.app.request(u, init)),
    lastEventId: options.lastEventId,
  });
  followers.push(f);
  await waitFor('the stream to open', () => f.opens > 0);
  return f;
}

beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 10 } });
  c = await demoClients(t);
});
afterAll(async () => {
  for (const f of followers) f.close();
  await t?.close();
});

describe('GET /api/v2/event-stream', () => {
  it('streams each visible change as it commits, id = position, only to those who may see it', async () => {
    const customer = await follow(DEMO_ACCOUNTS.customer);
    const owner = await follow(DEMO_ACCOUNTS.owner);
    const stranger = await follow('customer2@quickeats.test');
    const admin = await follow(DEMO_ACCOUNTS.admin);
    const rider = await follow(DEMO_ACCOUNTS.rider);

    const order = await orderIn(t, c, 'ready'); // created, paid, accepted, ready
    await waitFor('four events for the customer', () => customer.events.length >= 4);
    await waitFor(
      'four events for the owner and admin',
      () => owner.events.length >= 4 && admin.events.length >= 4,
    );
    await waitFor('the ready event for riders', () => rider.events.length >= 1);

    expect(customer.events.map((e) => [e.type, e.version, e.status])).toEqual([
      ['order.created', 1, 'pending'],
      ['order.paid', 2, 'paid'],
      ['order.accepted', 3, 'accepted'],
      ['order.ready', 4, 'ready'],
    ]);
    expect(customer.events.every((e) => e.orderId === order.id)).toBe(true);
    expect(customer.events.map((e) => e.actorRole)).toEqual([
      'customer',
      'customer',
      'restaurant',
      'restaurant',
    ]);
    expect(customer.ids).toEqual(customer.events.map((e) => e.position));
    const positions = customer.events.map((e) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(owner.events).toEqual(customer.events);
    expect(admin.events).toEqual(customer.events);
    // A rider sees the order when it enters the ready pool, not before.
    expect(rider.events.map((e) => e.type)).toEqual(['order.ready']);

    // The stranger's stream is alive (it sees its own order) yet got nothing of the others'.
    const own = await orderIn(t, { ...c, customer: c.otherCustomer }, 'pending');
    await waitFor('the stranger’s own event', () => stranger.events.length >= 1);
    expect(stranger.events.map((e) => e.orderId)).toEqual([own.id]);
  });

  it('resumes after Last-Event-ID without a gap or a repeat, and filters one order', async () => {
    const all = await follow(DEMO_ACCOUNTS.customer);
    const order = await orderIn(t, c, 'accepted');
    await waitFor('three events', () => all.events.filter((e) => e.orderId === order.id).length >= 3);
    const mine = all.events.filter((e) => e.orderId === order.id);
    const resumed = await follow(DEMO_ACCOUNTS.customer, {
      query: `?order=${order.id}`,
      lastEventId: mine[0]!.position,
    });
    await waitFor('the two events after the first', () => resumed.events.length >= 2);
    expect(resumed.events).toEqual(mine.slice(1));
    // And it goes on live.
    await c.owner.act(order.id, 'mark-ready', 3);
    await waitFor('the live event', () => resumed.events.length >= 3);
    expect(resumed.events.map((e) => e.version)).toEqual([2, 3, 4]);
    expect(OrderStreamEventSchema.array().parse(resumed.events)).toHaveLength(3);
  });

  it('refuses before streaming: 401 without a token, 400 on a bad Last-Event-ID or order, 404 on an order not visible', async () => {
    const anonymous = await t.app.request('/api/v2/event-stream');
    expect(anonymous.status).toBe(401);
    const token = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const auth = { authorization: `Bearer ${token}` };
    const badId = await t.app.request('/api/v2/event-stream', {
      headers: { ...auth, 'last-event-id': 'abc' },
    });
    expect(badId.status).toBe(400);
    expect(JSON.stringify(await badId.json())).toContain('last-event-id');
    const badOrder = await t.app.request('/api/v2/event-stream?order=nope', { headers: auth });
    expect(badOrder.status).toBe(400);
    const theirs = await orderIn(t, { ...c, customer: c.otherCustomer }, 'pending');
    const hidden = await t.app.request(`/api/v2/event-stream?order=${theirs.id}`, { headers: auth });
    expect(hidden.status).toBe(404);
  });

  it('is in the OpenAPI document as text/event-stream with the event schema', async () => {
    const doc = (await (await t.app.request('/api/v2/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    const get = doc.paths['/event-stream']?.get;
    expect(Object.keys(get?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(doc.components.schemas.OrderStreamEvent).toBeDefined();
  });
});
