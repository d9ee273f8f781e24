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
  type Role,
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

/**
 * The buttons of a card: the actions this board offers that the API says the owner may take now.
 * Destructive ones (`confirm`) ask for a reason and a confirmation first.
 */
export interface BoardAction {
  action: OrderAction;
  label: string;
  tone: 'primary' | 'danger';
  confirm?: { title: string; button: string; reasons: readonly string[] };
}

export const REJECT_REASONS = [
  'Out of an ingredient',
  'Kitchen too busy',
  'Closing soon',
  'Cannot deliver to this address',
  'Something else',
] as const;

export const CANCEL_REASONS = [
  'Out of an ingredient',
  'Kitchen problem',
  'No rider available',
  'Customer asked us to cancel',
  'Something else',
] as const;

export const BOARD_ACTIONS: readonly BoardAction[] = [
  { action: 'accept', label: 'Accept', tone: 'primary' },
  { action: 'mark-ready', label: 'Mark ready', tone: 'primary' },
  {
    action: 'reject',
    label: 'Reject',
    tone: 'danger',
    confirm: { title: 'Reject order', button: 'Reject order', reasons: REJECT_REASONS },
  },
  {
    action: 'cancel',
    label: 'Cancel',
    tone: 'danger',
    confirm: { title: 'Cancel order', button: 'Cancel order', reasons: CANCEL_REASONS },
  },
];

/** What the owner may do with an order now. A paid order offers Reject rather than Cancel (same refund, clearer word). */
export function actionsFor(order: Pick<Order, 'allowedActions'>): BoardAction[] {
  const allowed = BOARD_ACTIONS.filter((a) => order.allowedActions.includes(a.action));
  const rejectable = allowed.some((a) => a.action === 'reject');
  return allowed.filter((a) => !(rejectable && a.action === 'cancel'));
}

/** The reason kept in the audit log: the choice from the list, then the owner's own words. */
export function reasonText(choice: string, details: string): string {
  const extra = details.trim();
  return extra ? `${choice}: ${extra}` : choice;
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

/** How each status came about, as a kitchen says it ("was cancelled"). */
const CHANGE_WORDS: Record<OrderStatus, string> = {
  pending: 'was placed',
  paid: 'was paid',
  accepted: 'was accepted',
  ready: 'was marked ready',
  picked_up: 'was picked up by a rider',
  delivered: 'was delivered',
  cancelled: 'was cancelled',
  rejected: 'was rejected',
};

/** Who did it, from the restaurant's point of view (it was not this screen). */
const BY_WORDS: Record<Role, string> = {
  customer: ' by the customer',
  restaurant: ' on another of your devices',
  admin: ' by QuickEats support',
  rider: '',
};

/** The event that changed an order, as far as the board knows it (the live stream says who and when). */
export interface OrderChange {
  status: OrderStatus;
  actorRole?: Role | null;
  /** ISO time of the change. */
  at?: string;
}

function ago(at: string | undefined, now: number): string {
  if (!at) return '';
  const seconds = Math.max(0, (now - Date.parse(at)) / 1000);
  if (seconds < 90) return ' a moment ago';
  if (seconds < 3600) return ` ${Math.round(seconds / 60)} minutes ago`;
  return ` at ${new Date(at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
}

/** "was cancelled by the customer a moment ago" */
export function describeChange(change: OrderChange, now = Date.now()): string {
  const by = change.actorRole ? BY_WORDS[change.actorRole] : '';
  return `${CHANGE_WORDS[change.status]}${by}${ago(change.at, now)}`;
}

/** "Order #0f8fad5b was cancelled by the customer a moment ago." */
export function changeNotice(orderId: string, change: OrderChange, now = Date.now()): Notice {
  return { kind: 'info', text: `Order #${shortId(orderId)} ${describeChange(change, now)}.` };
}

export interface Notice {
  kind: 'conflict' | 'error' | 'info';
  text: string;
}

/** The order as the API has it now, when the board could read it after a refusal. */
export interface CurrentState {
  status: OrderStatus;
  allowedActions: readonly OrderAction[];
}

/**
 * What to tell the owner when an action failed, in the kitchen's words: what happened to the
 * order (its current status, and who changed it when the live stream said so) and what they can
 * still do — never versions or error codes for a conflict.
 */
export function noticeFor(
  error: unknown,
  order: Order,
  action: OrderAction,
  current?: CurrentState | null,
  change?: OrderChange | null,
  now = Date.now(),
): Notice {
  const what = `order #${shortId(order.id)}`;
  const verb = ACTION_WORDS[action];
  if (error instanceof StaleVersionError || error instanceof InvalidTransitionError) {
    const status =
      change?.status ??
      current?.status ??
      (error instanceof InvalidTransitionError ? error.currentStatus : undefined);
    if (!status) {
      return {
        kind: 'conflict',
        text: `Could not ${verb} ${what}: it changed in the meantime. The board has been refreshed; check it and try again.`,
      };
    }
    const happened = describeChange({ ...change, status }, now);
    const allowed =
      current?.allowedActions ?? (error instanceof InvalidTransitionError ? error.allowedActions : []);
    const next = !(BOARD_STATUSES as OrderStatus[]).includes(status)
      ? 'It has left the board.'
      : allowed?.includes(action)
        ? `You can still ${verb} it.`
        : 'Its card shows what you can do now.';
    return { kind: 'conflict', text: `Could not ${verb} ${what}: it ${happened}. ${next}` };
  }
  if (error instanceof QuickEatsNetworkError) {
    return {
      kind: 'error',
      text: `Could not reach QuickEats to ${verb} ${what}. Check the connection and try again.`,
    };
  }
  if (error instanceof QuickEatsApiError) {
    return { kind: 'error', text: `Could not ${verb} ${what}: ${error.message}` };
  }
  return { kind: 'error', text: `Could not ${verb} ${what}: ${String(error)}` };
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
