/**
 * An order's lifecycle as the customer sees it, free of React (unit-tested): the steps of the
 * usual path, which are done, which is current, and how a cancelled or rejected order ended.
 * The path is linear and every transition adds one to the version (SPEC "Optimistic concurrency"),
 * so a cancelled order's version says which step it had reached when it was cancelled.
 */
import type { Order, OrderStatus } from '@quickeats/sdk';

/** The usual path, in order (SPEC's lifecycle without its two dead ends). */
export const PATH = ['pending', 'paid', 'accepted', 'ready', 'picked_up', 'delivered'] as const;
type PathStatus = (typeof PATH)[number];

export const STEP_LABELS: Record<OrderStatus, string> = {
  pending: 'Placed, waiting for payment',
  paid: 'Paid',
  accepted: 'Accepted by the restaurant',
  ready: 'Ready for pick-up',
  picked_up: 'Picked up by the rider',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  rejected: 'Rejected by the restaurant',
};

/** One-line status for lists and announcements. */
export const STATUS_WORDS: Record<OrderStatus, string> = {
  pending: 'Waiting for payment',
  paid: 'Paid, waiting for the restaurant',
  accepted: 'Being prepared',
  ready: 'Ready, waiting for a rider',
  picked_up: 'On its way',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  rejected: 'Rejected by the restaurant',
};

export type StepState = 'done' | 'current' | 'todo' | 'ended';

export interface Step {
  status: OrderStatus;
  label: string;
  state: StepState;
}

export function timeline(order: Pick<Order, 'status' | 'version'>): Step[] {
  const index = PATH.indexOf(order.status as PathStatus);
  if (index >= 0) {
    return PATH.map((status, i) => ({
      status,
      label: STEP_LABELS[status],
      state: i < index ? 'done' : i === index ? (status === 'delivered' ? 'done' : 'current') : 'todo',
    }));
  }
  // Cancelled or rejected: version 1 is `pending`, so the step reached before the end is PATH[version - 2].
  const reached = Math.max(0, Math.min(order.version - 2, PATH.length - 1));
  return [
    ...PATH.slice(0, reached + 1).map((status) => ({
      status,
      label: STEP_LABELS[status],
      state: 'done' as const,
    })),
    { status: order.status, label: STEP_LABELS[order.status], state: 'ended' },
  ];
}
