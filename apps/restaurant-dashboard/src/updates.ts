/**
 * The one place the board learns that orders changed: the API's live event stream
 * (`client.events`, the tRPC subscription `orders.onEvent` or `GET /api/v2/event-stream` for the
 * REST transport). Each event says which order changed, its new status, who changed it and when;
 * the board then reads just that order. When the connection drops (an API restart, the network),
 * the SDK reconnects by itself and resumes after the last event it delivered, so nothing committed
 * meanwhile is missed; `connection` drives the "reconnecting" banner, and on every reconnection
 * the board re-reads everything once, in case it was away long.
 *
 * `?poll=<ms>` adds a periodic full re-read on top (off by default; for an API without the stream).
 */
import type { OrderStatus, QuickEatsClient, Role } from '@quickeats/sdk';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** An order change as the stream reports it. */
export interface OrderEvent {
  orderId: string;
  /** The order's version after the change (a board holding it already skips the read). */
  version: number;
  status: OrderStatus;
  actorRole: Role | null;
  occurredAt: string;
}

export interface UpdateHandlers {
  /** One order changed: re-read it. */
  changed(event: OrderEvent): void;
  /** Anything may have changed (connected again, or a poll): re-read the board. */
  resync(): void;
  connection(state: Connection): void;
}

export interface OrderUpdates {
  stop(): void;
}

/** Longest wait between attempts to open the stream again after it ended with an error. */
const MAX_RETRY_MS = 10_000;

export function startOrderUpdates(
  client: QuickEatsClient,
  options: { pollMs: number },
  handlers: UpdateHandlers,
): OrderUpdates {
  let state: Connection = 'connecting';
  let wasDown = false;
  let stopped = false;
  /** Position of the last event handled: a new subscription resumes right after it. */
  let lastPosition: string | undefined;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopStream = () => {};
  const set = (next: Connection) => {
    if (next === state) return;
    state = next;
    handlers.connection(next);
  };

  function open() {
    stopStream = client.events.listen(
      (event) => {
        lastPosition = event.position;
        handlers.changed({
          orderId: event.orderId,
          version: event.version,
          status: event.status,
          actorRole: event.actorRole,
          occurredAt: event.occurredAt,
        });
      },
      {
        ...(lastPosition ? { lastEventId: lastPosition } : {}),
        onStatus(status) {
          if (status === 'open') {
            attempt = 0;
            set('live');
            // Back after a drop: the stream resumes where it stopped; one full read makes sure.
            if (wasDown) handlers.resync();
            wasDown = false;
          } else if (status === 'reconnecting') {
            wasDown = true;
            set('reconnecting');
          }
        },
        // The stream gave up (a proxy answered 502 while the API restarted, or a refusal): say so,
        // and open a new one after a growing pause, resuming after the last event handled.
        onError() {
          wasDown = true;
          set('reconnecting');
          if (stopped) return;
          retry = setTimeout(open, Math.min(MAX_RETRY_MS, 500 * 2 ** attempt++));
        },
      },
    );
  }

  open();
  const timer = options.pollMs > 0 ? setInterval(() => handlers.resync(), options.pollMs) : undefined;
  return {
    stop() {
      stopped = true;
      stopStream();
      clearTimeout(retry);
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
