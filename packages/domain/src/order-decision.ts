/**
 * The single decision function of the order lifecycle: given an order snapshot, an action and
 * an actor, either the next state with the effects to run, or a typed refusal with a stable code
 * and the actions this actor may take instead. Pure; the service layer turns an accepted decision
 * into one conditional UPDATE (version and status guarded) plus its audit event.
 */
import type { ErrorCode } from './errors';
import {
  type Effect,
  LIFECYCLE,
  ORDER_ACTIONS,
  type OrderAction,
  type OrderStatus,
  type Party,
  rolesAllowed,
} from './order-lifecycle';
import type { Actor } from './roles';

/** What the decision needs to know about an order (and nothing more). */
export interface OrderSnapshot {
  status: OrderStatus;
  version: number;
  customerId: string;
  restaurantOwnerId: string;
  riderId: string | null;
}

export interface Transition {
  ok: true;
  action: OrderAction;
  from: OrderStatus;
  to: OrderStatus;
  /** The version the order has after this transition: always `snapshot.version + 1`. */
  version: number;
  effects: readonly Effect[];
  /** Set when the transition assigns a rider (`pick-up`). */
  riderId: string | null;
}

export interface Refusal {
  ok: false;
  code: Extract<ErrorCode, 'NOT_FOUND' | 'FORBIDDEN' | 'PRECONDITION_FAILED' | 'INVALID_TRANSITION'>;
  detail: string;
  currentStatus: OrderStatus;
  currentVersion: number;
  /** Actions this actor could take on the order as it is now. */
  allowedActions: OrderAction[];
}

export type Decision = Transition | Refusal;

/** Whether `actor` stands in the relation `party` to the order. */
export function isParty(order: OrderSnapshot, actor: Actor, party: Party): boolean {
  switch (party) {
    case 'order-customer':
      return actor.role === 'customer' && order.customerId === actor.userId;
    case 'restaurant-owner':
      return actor.role === 'restaurant' && order.restaurantOwnerId === actor.userId;
    case 'admin':
      return actor.role === 'admin';
    case 'any-rider':
      return actor.role === 'rider';
    case 'order-rider':
      return actor.role === 'rider' && order.riderId === actor.userId;
  }
}

/**
 * Visibility rule shared by every read and write: customers see their orders, owners their
 * restaurants' orders, riders theirs and the ones ready for pick-up, admins all. An order the
 * actor cannot see is reported as not found, so existence is not leaked.
 */
export function canView(
  order: Pick<OrderSnapshot, 'status' | 'customerId' | 'restaurantOwnerId' | 'riderId'>,
  actor: Actor,
): boolean {
  switch (actor.role) {
    case 'customer':
      return order.customerId === actor.userId;
    case 'restaurant':
      return order.restaurantOwnerId === actor.userId;
    case 'rider':
      return order.riderId === actor.userId || order.status === 'ready';
    case 'admin':
      return true;
  }
}

function matchingRule(order: OrderSnapshot, action: OrderAction, actor: Actor) {
  return LIFECYCLE.find(
    (r) => r.action === action && r.from.includes(order.status) && isParty(order, actor, r.party),
  );
}

/** The actions `actor` may take on `order` now, in lifecycle order. */
export function allowedActions(order: OrderSnapshot, actor: Actor): OrderAction[] {
  if (!canView(order, actor)) return [];
  return ORDER_ACTIONS.filter((a) => matchingRule(order, a, actor) !== undefined);
}

/**
 * Decide `action` by `actor` on `order`. Checks run in HTTP's order: visibility (404), role (403),
 * precondition on the version the client holds (412), then the lifecycle table (409).
 *
 * @example
 * const d = decide(order, 'accept', { userId: ownerId, role: 'restaurant' }, order.version);
 * if (d.ok) await repo.transition(order.id, d); else throw refusalError(d);
 */
export function decide(
  order: OrderSnapshot,
  action: OrderAction,
  actor: Actor,
  expectedVersion?: number,
): Decision {
  const refuse = (code: Refusal['code'], detail: string): Refusal => ({
    ok: false,
    code,
    detail,
    currentStatus: order.status,
    currentVersion: order.version,
    allowedActions: code === 'NOT_FOUND' ? [] : allowedActions(order, actor),
  });

  if (!canView(order, actor)) return refuse('NOT_FOUND', 'Order not found');
  if (!rolesAllowed(action).includes(actor.role)) {
    return refuse('FORBIDDEN', `A ${actor.role} may never ${action} an order`);
  }
  if (expectedVersion !== undefined && expectedVersion !== order.version) {
    return refuse('PRECONDITION_FAILED', `Order is at version ${order.version}, not ${expectedVersion}`);
  }
  const rule = matchingRule(order, action, actor);
  if (!rule) return refuse('INVALID_TRANSITION', `Cannot ${action} an order that is ${order.status}`);
  return {
    ok: true,
    action,
    from: order.status,
    to: rule.to,
    version: order.version + 1,
    effects: rule.effects,
    riderId: rule.effects.includes('assign-rider') ? actor.userId : order.riderId,
  };
}
