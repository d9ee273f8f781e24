/**
 * Every row of SPEC.md's lifecycle table, over REST on the real PostgreSQL: the right actor may,
 * everyone else gets 403 (role never allowed), 404 (may not see the order) or 409 (state forbids it,
 * with the actions they could take). The expectation below is written from SPEC.md, independently
 * of the domain's table, so a wrong table fails here.
 */
import type { OrderAction, OrderStatus } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoClients, demoClients, orderIn } from '../testing/orders-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

type Who = keyof DemoClients;
const WHO: Who[] = ['customer', 'otherCustomer', 'owner', 'otherOwner', 'rider', 'otherRider', 'admin'];
const STATUSES: OrderStatus[] = [
  'pending',
  'paid',
  'accepted',
  'ready',
  'picked_up',
  'delivered',
  'cancelled',
  'rejected',
];
const ACTIONS: OrderAction[] = ['pay', 'accept', 'reject', 'mark-ready', 'pick-up', 'deliver', 'cancel'];

/** SPEC.md "Order lifecycle", transcribed: (action, who) → allowed from-states and the resulting state. */
const SPEC_TABLE: { action: OrderAction; who: Who[]; from: OrderStatus[]; to: OrderStatus }[] = [
  { action: 'pay', who: ['customer'], from: ['pending'], to: 'paid' },
  { action: 'accept', who: ['owner'], from: ['paid'], to: 'accepted' },
  { action: 'reject', who: ['owner'], from: ['paid'], to: 'rejected' },
  { action: 'mark-ready', who: ['owner'], from: ['accepted'], to: 'ready' },
  { action: 'pick-up', who: ['rider', 'otherRider'], from: ['ready'], to: 'picked_up' },
  { action: 'deliver', who: ['rider'], from: ['picked_up'], to: 'delivered' },
  { action: 'cancel', who: ['customer'], from: ['pending', 'paid'], to: 'cancelled' },
  { action: 'cancel', who: ['owner', 'admin'], from: ['paid', 'accepted', 'ready'], to: 'cancelled' },
];
const ROLE_OF: Record<Who, string> = {
  customer: 'customer',
  otherCustomer: 'customer',
  owner: 'restaurant',
  otherOwner: 'restaurant',
  rider: 'rider',
  otherRider: 'rider',
  admin: 'admin',
};
const ROLES_FOR: Record<OrderAction, string[]> = {
  pay: ['customer'],
  accept: ['restaurant'],
  reject: ['restaurant'],
  'mark-ready': ['restaurant'],
  'pick-up': ['rider'],
  deliver: ['rider'],
  cancel: ['customer', 'restaurant', 'admin'],
};

/** Orders walked by the demo rider are "theirs" from picked_up on; ready orders are visible to every rider. */
function canSee(who: Who, status: OrderStatus): boolean {
  if (who === 'customer' || who === 'owner' || who === 'admin') return true;
  if (who === 'rider') return status === 'ready' || status === 'picked_up' || status === 'delivered';
  if (who === 'otherRider') return status === 'ready';
  return false;
}
const allowed = (who: Who, status: OrderStatus) =>
  ACTIONS.filter((a) =>
    SPEC_TABLE.some((r) => r.action === a && r.who.includes(who) && r.from.includes(status)),
  );

function expected(action: OrderAction, who: Who, status: OrderStatus): { status: number; to?: OrderStatus } {
  if (!canSee(who, status)) return { status: 404 };
  if (!ROLES_FOR[action].includes(ROLE_OF[who])) return { status: 403 };
  const rule = SPEC_TABLE.find((r) => r.action === action && r.who.includes(who) && r.from.includes(status));
  return rule ? { status: 200, to: rule.to } : { status: 409 };
}

describe('lifecycle table over REST', () => {
  let t: TestApp;
  let c: DemoClients;
  /** One order per state for refusals (a refusal changes nothing, so they can share it). */
  const shared = new Map<OrderStatus, { id: string; version: number }>();
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    c = await demoClients(t);
    for (const s of STATUSES) shared.set(s, await orderIn(t, c, s));
  });
  afterAll(() => t?.close());

  for (const status of STATUSES) {
    for (const action of ACTIONS) {
      it(`${action} on a ${status} order: allowed for exactly the parties of the table`, async () => {
        for (const who of WHO) {
          const want = expected(action, who, status);
          // Successful actions change the order: give each its own.
          const order = want.status === 200 ? await orderIn(t, c, status) : shared.get(status)!;
          const res = await c[who].act(order.id, action, order.version);
          expect({ who, status: res.status }).toEqual({ who, status: want.status });
          if (want.status === 200) {
            expect(res.body.data?.attributes.status).toBe(want.to);
            expect(res.body.data?.attributes.version).toBe(order.version + 1);
            expect(res.headers.get('etag')).toBe(`"v${order.version + 1}"`);
          } else {
            expect(res.headers.get('content-type')).toBe('application/problem+json');
            expect(res.body.code).toBe(
              { 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'INVALID_TRANSITION' }[want.status],
            );
          }
          if (want.status === 409)
            expect({ who, allowed: res.body.allowedActions }).toEqual({ who, allowed: allowed(who, status) });
          if (want.status === 404) expect(res.body.allowedActions).toBeUndefined();
        }
      });
    }
  }

  it('assigns the picking rider, who alone may then deliver', async () => {
    const order = await orderIn(t, c, 'ready');
    const picked = await c.otherRider.act(order.id, 'pick-up', order.version);
    expect(picked.status).toBe(200);
    expect(
      (picked.body.data as unknown as { relationships: { rider: { data: { id: string } } } }).relationships
        .rider.data.id,
    ).toBe((await t.actorFor('rider2@quickeats.test')).userId);
    expect((await c.rider.act(order.id, 'deliver', order.version + 1)).status).toBe(404);
    expect((await c.otherRider.act(order.id, 'deliver', order.version + 1)).status).toBe(200);
  });
});
