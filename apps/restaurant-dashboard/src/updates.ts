/**
 * The one place the board learns that orders changed. The board re-reads its orders whenever
 * `changed` fires and shows a "reconnecting" banner while `connection` says the updates are down.
 *
 * Today the source polls: `changed` every `pollMs` (the board reports whether its read reached
 * the API through `reportRead`, which drives `connection`). A pushed source (the API's live event
 * stream) replaces the inside of `startOrderUpdates` and nothing else.
 */
import type { OrderStatus, QuickEatsClient, Role } from '@quickeats/sdk';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** An order change as a pushed source reports it (polling cannot tell who changed what). */
export interface OrderEvent {
  orderId: string;
  status: OrderStatus;
  actorRole: Role | null;
  occurredAt: string;
}

export interface UpdateHandlers {
  /** Something may have changed (with the event when the source knows it): re-read the board. */
  changed(event?: OrderEvent): void;
  connection(state: Connection): void;
}

export interface OrderUpdates {
  /** The board's last read succeeded (true) or could not reach the API (false). */
  reportRead(ok: boolean): void;
  /** Whether the board should keep a poll timer of its own (false when events are pushed). */
  readonly polling: boolean;
  stop(): void;
}

export function startOrderUpdates(
  _client: QuickEatsClient,
  options: { pollMs: number },
  handlers: UpdateHandlers,
): OrderUpdates {
  let state: Connection = 'connecting';
  let busy = false;
  const set = (next: Connection) => {
    if (next === state) return;
    state = next;
    handlers.connection(next);
  };
  const timer =
    options.pollMs > 0
      ? setInterval(() => {
          // A poll waits for the previous read (a slow API must not starve every result).
          if (!busy) {
            busy = true;
            handlers.changed();
          }
        }, options.pollMs)
      : undefined;
  return {
    polling: true,
    reportRead(ok) {
      busy = false;
      set(ok ? 'live' : 'reconnecting');
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
