import { describe, expect, it } from 'vitest';
import {
  canSeeOrderEvent,
  ORDER_EVENT_TYPES,
  type OrderEventScope,
  OrderStreamEventSchema,
  orderEventType,
} from './order-events';
import { LIFECYCLE } from './order-lifecycle';

const customer = { userId: '00000000-0000-4000-8000-000000000001', role: 'customer' as const };
const owner = { userId: '00000000-0000-4000-8000-000000000002', role: 'restaurant' as const };
const rider = { userId: '00000000-0000-4000-8000-000000000003', role: 'rider' as const };
const otherRider = { userId: '00000000-0000-4000-8000-000000000004', role: 'rider' as const };
const admin = { userId: '00000000-0000-4000-8000-000000000005', role: 'admin' as const };
const stranger = { userId: '00000000-0000-4000-8000-000000000006', role: 'customer' as const };

const scope = (
  fromStatus: OrderEventScope['fromStatus'],
  toStatus: OrderEventScope['toStatus'],
  riderId: string | null = null,
) => ({
  customerId: customer.userId,
  restaurantOwnerId: owner.userId,
  riderId,
  fromStatus,
  toStatus,
});

describe('order event types', () => {
  it('are derived from the lifecycle table: created, then one per status a rule reaches', () => {
    expect(ORDER_EVENT_TYPES[0]).toBe('order.created');
    for (const rule of LIFECYCLE) expect(ORDER_EVENT_TYPES).toContain(`order.${rule.to}`);
    expect(new Set(ORDER_EVENT_TYPES).size).toBe(ORDER_EVENT_TYPES.length);
    expect(orderEventType('create', 'pending')).toBe('order.created');
    expect(orderEventType('pay', 'paid')).toBe('order.paid');
    expect(orderEventType('mark-ready', 'ready')).toBe('order.ready');
  });

  it('the schema accepts an event and refuses a bad position or type', () => {
    const event = {
      position: '42',
      type: 'order.accepted',
      orderId: '00000000-0000-4000-8000-0000000000aa',
      version: 3,
      status: 'accepted',
      actorRole: 'restaurant',
      occurredAt: new Date().toISOString(),
    };
    expect(OrderStreamEventSchema.parse(event)).toEqual(event);
    expect(OrderStreamEventSchema.safeParse({ ...event, position: '-1' }).success).toBe(false);
    expect(OrderStreamEventSchema.safeParse({ ...event, position: '042' }).success).toBe(false);
    expect(OrderStreamEventSchema.safeParse({ ...event, type: 'order.baked' }).success).toBe(false);
  });
});

describe('canSeeOrderEvent', () => {
  it('customers see their orders, owners their restaurant’s, admins all', () => {
    expect(canSeeOrderEvent(scope(null, 'pending'), customer)).toBe(true);
    expect(canSeeOrderEvent(scope(null, 'pending'), stranger)).toBe(false);
    expect(canSeeOrderEvent(scope('pending', 'paid'), owner)).toBe(true);
    expect(canSeeOrderEvent(scope('pending', 'paid'), { ...owner, userId: stranger.userId })).toBe(false);
    expect(canSeeOrderEvent(scope(null, 'pending'), admin)).toBe(true);
  });

  it('riders see the ready pool (entering and leaving it) and their own deliveries only', () => {
    expect(canSeeOrderEvent(scope('paid', 'accepted'), rider)).toBe(false);
    expect(canSeeOrderEvent(scope('accepted', 'ready'), rider)).toBe(true);
    // Leaving the pool: picked up by someone else, or cancelled while ready.
    expect(canSeeOrderEvent(scope('ready', 'picked_up', otherRider.userId), rider)).toBe(true);
    expect(canSeeOrderEvent(scope('ready', 'cancelled'), rider)).toBe(true);
    // After that, only the rider who carries it.
    expect(canSeeOrderEvent(scope('picked_up', 'delivered', otherRider.userId), rider)).toBe(false);
    expect(canSeeOrderEvent(scope('picked_up', 'delivered', rider.userId), rider)).toBe(true);
    // The rider of an order did not see it before it was ready.
    expect(canSeeOrderEvent(scope('pending', 'paid', rider.userId), rider)).toBe(false);
  });
});
