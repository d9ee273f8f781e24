/**
 * Following order events (SSE and the tRPC subscription call this): the caller's visibility rule
 * applied to every event, an optional single order, and resume after a position the client saw.
 */
import { type Actor, canSeeOrderEvent, DomainError, type OrderStreamEvent } from '@quickeats/domain';
import type { AppDeps } from '../context';
import { loadOrderView } from './order-store';

export interface FollowOptions {
  /** Only this order's events (it must be visible to the caller now: 404 otherwise, as a read). */
  orderId?: string | undefined;
  /** Resume after this position (Last-Event-ID / tRPC `lastEventId`); default: from now. */
  lastEventId?: string | null | undefined;
  signal?: AbortSignal | undefined;
  /**
   * The version of the caller's token: the stream ends as soon as that token is revoked (a role
   * change, a disabled account, a sign-out), and the client's reconnect is refused.
   */
  tokenVersion?: number | undefined;
}

/**
 * Checks what can be refused (the order filter) before anything is streamed, then returns the events
 * as they commit: each event the caller may see exactly once, in position order.
 */
export async function followOrderEvents(
  deps: Pick<AppDeps, 'db' | 'events' | 'revocations'>,
  actor: Actor,
  options: FollowOptions,
): Promise<AsyncGenerator<OrderStreamEvent, void, undefined>> {
  const { orderId } = options;
  // Shutting down: a stream opened now would end at once; the client should go to another process.
  if (deps.events.isClosed)
    throw new DomainError('SERVICE_UNAVAILABLE', 'This API process is shutting down; reconnect');
  if (orderId && !(await loadOrderView(deps.db, orderId, actor)))
    throw new DomainError('NOT_FOUND', 'Order not found');
  const revoked =
    options.tokenVersion === undefined ? undefined : deps.revocations.watch(actor, options.tokenVersion);
  const signals = [options.signal, revoked?.signal].filter((s): s is AbortSignal => s !== undefined);
  const events = await deps.events.subscribe({
    after: options.lastEventId ? BigInt(options.lastEventId) : undefined,
    filter: (e) => (!orderId || e.event.orderId === orderId) && canSeeOrderEvent(e.scope, actor),
    signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
  });
  if (!revoked) return events;
  return (async function* () {
    try {
      yield* events;
    } finally {
      revoked.release();
    }
  })();
}
