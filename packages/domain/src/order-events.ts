/**
 * Order events as every push surface shows them (SSE, the tRPC subscription, webhooks): one per
 * committed order change, created once and then one per lifecycle transition. The event types are
 * derived from the lifecycle table — `order.created`, then `order.<status reached>` per rule — so a
 * new rule in `LIFECYCLE` is a new event type everywhere with no second list to update.
 */
import { z } from 'zod';
import type { OrderSnapshot } from './order-decision';
import { canView } from './order-decision';
import { LIFECYCLE, type OrderAction, type OrderStatus } from './order-lifecycle';
import type { Actor } from './roles';
import { OrderStatusSchema, RoleSchema } from './schemas';

type EventTypeOf<S extends string> = `order.${S}`;

/** `order.created`, then one type per status a lifecycle rule reaches, in table order. */
export const ORDER_EVENT_TYPES = [
  'order.created',
  ...new Set(LIFECYCLE.map((r) => `order.${r.to}` as const)),
] as unknown as readonly ['order.created', ...EventTypeOf<(typeof LIFECYCLE)[number]['to']>[]];
export type OrderEventType = 'order.created' | EventTypeOf<OrderStatus>;

/** The event type of a stored event row (`create`, or the action with the status it reached). */
export function orderEventType(action: 'create' | OrderAction, toStatus: OrderStatus): OrderEventType {
  return action === 'create' ? 'order.created' : `order.${toStatus}`;
}

/**
 * A position in the global event log: a non-negative integer as a decimal string (it is a PostgreSQL
 * bigint, beyond JavaScript's safe integers in principle). Events have positions from 1; resuming
 * after `0` is reading from the beginning. Positions only grow; gaps are normal.
 */
export const EventPositionSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,17})$/, 'must be an event position (a non-negative integer)')
  .describe('Position in the global order event log: resume after it with Last-Event-ID');

export const OrderEventTypeSchema = z.enum(
  ORDER_EVENT_TYPES as unknown as [OrderEventType, ...OrderEventType[]],
);

export const OrderStreamEventSchema = z.object({
  position: EventPositionSchema,
  type: OrderEventTypeSchema,
  orderId: z.uuid(),
  version: z.int().min(1).describe('The order version after this change'),
  status: OrderStatusSchema.describe('The order status after this change'),
  actorRole: RoleSchema.nullable().describe('Role of who made the change'),
  occurredAt: z.iso.datetime(),
});
export type OrderStreamEvent = z.infer<typeof OrderStreamEventSchema>;

/** What deciding who may see an event needs: the order's parties and the states around the event. */
export interface OrderEventScope {
  customerId: string;
  restaurantOwnerId: string;
  /** The order's rider (assigned at pick-up, never changed afterwards), if any. */
  riderId: string | null;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
}

/** Statuses in which the order has its rider: the ones reached from pick-up on. */
const RIDER_STATUSES: readonly OrderStatus[] = (() => {
  const reached = new Set<OrderStatus>();
  const pickedUp = LIFECYCLE.filter((r) => r.effects.includes('assign-rider')).map((r) => r.to);
  const queue = [...pickedUp];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (reached.has(s)) continue;
    reached.add(s);
    for (const r of LIFECYCLE) if (r.from.includes(s)) queue.push(r.to);
  }
  return [...reached];
})();

/**
 * Whether `actor` may receive the event: the same visibility rule as every read (`canView`), applied
 * to the order as it was just before OR just after the change — so a rider sees an order enter the
 * ready pool and also leave it (picked up by someone else, cancelled), and otherwise only its own
 * deliveries; customers their orders, owners their restaurants', admins all.
 */
export function canSeeOrderEvent(scope: OrderEventScope, actor: Actor): boolean {
  const at = (status: OrderStatus | null): boolean =>
    status !== null &&
    canView(
      {
        status,
        customerId: scope.customerId,
        restaurantOwnerId: scope.restaurantOwnerId,
        riderId: RIDER_STATUSES.includes(status) ? scope.riderId : null,
      } satisfies Pick<OrderSnapshot, 'status' | 'customerId' | 'restaurantOwnerId' | 'riderId'>,
      actor,
    );
  return at(scope.toStatus) || at(scope.fromStatus);
}
