/**
 * The order lifecycle of SPEC.md, defined once, as data. Routes, procedures, OpenAPI,
 * the SDK and the README diagram are all derived from `LIFECYCLE`.
 */
import type { Role } from './roles';

export const ORDER_STATUSES = [
  'pending',
  'paid',
  'accepted',
  'ready',
  'picked_up',
  'delivered',
  'cancelled',
  'rejected',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES = [
  'delivered',
  'cancelled',
  'rejected',
] as const satisfies readonly OrderStatus[];

/** URL segment of `POST /api/v2/orders/:id/<action>`. */
export const ORDER_ACTIONS = [
  'pay',
  'accept',
  'reject',
  'mark-ready',
  'pick-up',
  'deliver',
  'cancel',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/**
 * The relation an actor must have to the order for a rule to apply.
 * - `order-customer`: the order's customer
 * - `restaurant-owner`: owner of the order's restaurant
 * - `admin`: any admin
 * - `any-rider`: any rider (who then becomes the order's rider)
 * - `order-rider`: the rider assigned to the order
 */
export type Party = 'order-customer' | 'restaurant-owner' | 'admin' | 'any-rider' | 'order-rider';

export const PARTY_ROLE: Record<Party, Role> = {
  'order-customer': 'customer',
  'restaurant-owner': 'restaurant',
  admin: 'admin',
  'any-rider': 'rider',
  'order-rider': 'rider',
};

/** Side effects the service layer runs in the transition's transaction or around it. */
export type Effect = 'charge' | 'refund' | 'assign-rider';

export interface LifecycleRule {
  action: OrderAction;
  party: Party;
  from: readonly OrderStatus[];
  to: OrderStatus;
  effects: readonly Effect[];
}

/** One row per (action, party, from-set) of SPEC.md's table. A customer's cancel refunds only when paid. */
export const LIFECYCLE: readonly LifecycleRule[] = [
  { action: 'pay', party: 'order-customer', from: ['pending'], to: 'paid', effects: ['charge'] },
  { action: 'accept', party: 'restaurant-owner', from: ['paid'], to: 'accepted', effects: [] },
  { action: 'reject', party: 'restaurant-owner', from: ['paid'], to: 'rejected', effects: ['refund'] },
  { action: 'mark-ready', party: 'restaurant-owner', from: ['accepted'], to: 'ready', effects: [] },
  { action: 'pick-up', party: 'any-rider', from: ['ready'], to: 'picked_up', effects: ['assign-rider'] },
  { action: 'deliver', party: 'order-rider', from: ['picked_up'], to: 'delivered', effects: [] },
  { action: 'cancel', party: 'order-customer', from: ['pending'], to: 'cancelled', effects: [] },
  { action: 'cancel', party: 'order-customer', from: ['paid'], to: 'cancelled', effects: ['refund'] },
  {
    action: 'cancel',
    party: 'restaurant-owner',
    from: ['paid', 'accepted', 'ready'],
    to: 'cancelled',
    effects: ['refund'],
  },
  {
    action: 'cancel',
    party: 'admin',
    from: ['paid', 'accepted', 'ready'],
    to: 'cancelled',
    effects: ['refund'],
  },
];

export function isTerminal(status: OrderStatus): boolean {
  return (TERMINAL_STATUSES as readonly OrderStatus[]).includes(status);
}

/** Roles that may perform `action` in at least one state (anything else is a 403). */
export function rolesAllowed(action: OrderAction): Role[] {
  return [...new Set(LIFECYCLE.filter((r) => r.action === action).map((r) => PARTY_ROLE[r.party]))];
}

/** The rules under which an actor of `role` may take `action` (what the conditional write checks). */
export function rulesFor(action: OrderAction, role: Role): LifecycleRule[] {
  return LIFECYCLE.filter((r) => r.action === action && PARTY_ROLE[r.party] === role);
}

/** Every status `action` may start from, for any actor (the `status = ANY($allowed)` of the conditional write). */
export function statusesAllowing(action: OrderAction): OrderStatus[] {
  return [...new Set(LIFECYCLE.filter((r) => r.action === action).flatMap((r) => r.from))];
}

/** Distinct (from, action, to) edges of the machine, for diagrams and docs. */
export function transitions(): { from: OrderStatus; action: OrderAction; to: OrderStatus }[] {
  const seen = new Map<string, { from: OrderStatus; action: OrderAction; to: OrderStatus }>();
  for (const rule of LIFECYCLE) {
    for (const from of rule.from)
      seen.set(`${from}|${rule.action}|${rule.to}`, { from, action: rule.action, to: rule.to });
  }
  return [...seen.values()];
}

/** Mermaid `stateDiagram-v2` of the lifecycle, generated from `LIFECYCLE` (embedded in the README). */
export function lifecycleMermaid(): string {
  const lines = ['stateDiagram-v2', '  [*] --> pending'];
  for (const t of transitions()) {
    const parties = LIFECYCLE.filter(
      (r) => r.action === t.action && r.to === t.to && r.from.includes(t.from),
    ).map((r) => r.party);
    lines.push(`  ${t.from} --> ${t.to}: ${t.action} (${parties.join(', ')})`);
  }
  for (const s of TERMINAL_STATUSES) lines.push(`  ${s} --> [*]`);
  return lines.join('\n');
}
