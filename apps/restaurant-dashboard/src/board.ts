/**
 * What the board shows, free of the DOM: which orders go in which column, which buttons a card
 * offers, how money and conflicts are worded. Unit-tested; `app.ts` only renders it.
 */
import {
  InvalidTransitionError,
  type Order,
  type OrderAction,
  type OrderStatus,
  QuickEatsApiError,
  QuickEatsNetworkError,
  StaleVersionError,
} from '@quickeats/sdk';

export interface Column {
  status: OrderStatus;
  title: string;
  hint: string;
}

/** The statuses a restaurant works on, in the order the work flows. */
export const COLUMNS: readonly Column[] = [
  { status: 'paid', title: 'Incoming', hint: 'Paid, waiting for you to accept' },
  { status: 'accepted', title: 'Preparing', hint: 'Accepted, in the kitchen' },
  { status: 'ready', title: 'Ready for pick-up', hint: 'Waiting for a rider' },
];

export const BOARD_STATUSES = COLUMNS.map((c) => c.status);

/** The buttons of a card: the actions this board offers that the API says the owner may take now. */
export const BOARD_ACTIONS: readonly { action: OrderAction; label: string; tone: 'primary' | 'danger' }[] = [
  { action: 'accept', label: 'Accept', tone: 'primary' },
  { action: 'mark-ready', label: 'Mark ready', tone: 'primary' },
  { action: 'reject', label: 'Reject', tone: 'danger' },
];

export function actionsFor(order: Order) {
  return BOARD_ACTIONS.filter((a) => order.allowedActions.includes(a.action));
}

/** Orders per column, oldest first (first in, first cooked). */
export function groupByColumn(orders: readonly Order[]): Map<OrderStatus, Order[]> {
  const groups = new Map<OrderStatus, Order[]>(BOARD_STATUSES.map((s) => [s, []]));
  for (const order of orders) groups.get(order.status)?.push(order);
  for (const list of groups.values()) list.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return groups;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

const ACTION_WORDS: Record<OrderAction, string> = {
  pay: 'pay',
  accept: 'accept',
  reject: 'reject',
  'mark-ready': 'mark ready',
  'pick-up': 'pick up',
  deliver: 'deliver',
  cancel: 'cancel',
};

const STATUS_WORDS: Record<OrderStatus, string> = {
  pending: 'awaiting payment',
  paid: 'paid',
  accepted: 'accepted',
  ready: 'ready',
  picked_up: 'picked up',
  delivered: 'delivered',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

export interface Notice {
  kind: 'conflict' | 'error' | 'info';
  text: string;
}

/** What to tell the owner when an action failed. */
export function noticeFor(error: unknown, order: Order, action: OrderAction): Notice {
  const what = `order #${shortId(order.id)}`;
  if (error instanceof StaleVersionError) {
    return {
      kind: 'conflict',
      text:
        `Could not ${ACTION_WORDS[action]} ${what}: someone else changed it first ` +
        `(you saw version ${order.version}, it is now at version ${error.currentVersion ?? '?'}). ` +
        'The board has been refreshed; check the order and try again.',
    };
  }
  if (error instanceof InvalidTransitionError) {
    const now = error.currentStatus ? `it is now ${STATUS_WORDS[error.currentStatus]}` : 'its state changed';
    return {
      kind: 'conflict',
      text: `Could not ${ACTION_WORDS[action]} ${what}: ${now}. The board has been refreshed.`,
    };
  }
  if (error instanceof QuickEatsNetworkError) {
    return {
      kind: 'error',
      text: `Could not reach QuickEats to ${ACTION_WORDS[action]} ${what}. Try again.`,
    };
  }
  if (error instanceof QuickEatsApiError) {
    return {
      kind: 'error',
      text: `Could not ${ACTION_WORDS[action]} ${what}: ${error.message} (${error.code}).`,
    };
  }
  return { kind: 'error', text: `Could not ${ACTION_WORDS[action]} ${what}: ${String(error)}` };
}

export interface Settings {
  transport: 'trpc' | 'rest';
  /** Auto-refresh period in ms; 0 turns it off. */
  pollMs: number;
}

/** `?transport=rest&poll=5000` → settings (defaults: tRPC, every 3 s). */
export function parseSettings(search: string): Settings {
  const params = new URLSearchParams(search);
  const poll = Number(params.get('poll') ?? '3000');
  return {
    transport: params.get('transport') === 'rest' ? 'rest' : 'trpc',
    pollMs: Number.isFinite(poll) && poll >= 0 ? poll : 3000,
  };
}
