/**
 * The commit hook a request holding a key hands the service, for both surfaces (REST middleware,
 * tRPC): it stores the answer with the change, inside the change's transaction, or — when the store
 * allows it — lets the single write statement store it itself (issue 15: a keyed transition is the
 * key's claim plus one round trip). And the way back: a stored answer the statement wrote as the
 * order's data (this hook's, or that of a key claimed by its write: `WriteClaim`) is rendered by the
 * same renderer that rendered the first answer from the same text.
 */
import type { Actor, Order } from '@quickeats/domain';
import { ORDER_SNAPSHOT_TYPE, orderFromSnapshot } from '../services/order-store';
import type { CommitHook } from '../services/orders.service';
import { IdempotencyLeaseLost, type IdempotencyStore, type Lease, type StoredResponse } from './store';

/** Renders the answer for an order; `status`, when set, is the status every answer of it has. */
export type Render = ((order: Order) => StoredResponse) & { readonly status?: number };

export function commitHook(
  store: IdempotencyStore,
  lease: Lease,
  render: Render,
  recorded: (response: StoredResponse) => void,
): CommitHook {
  const hook: CommitHook = async (tx, order) => {
    const response = render(order);
    await store.recordInTransaction(tx, lease, response);
    recorded(response);
  };
  const record = store.foldable?.(lease);
  if (record) {
    hook.fold = {
      record: { ...record, status: render.status },
      committed: (order) => recorded(render(order)),
      lost: () => new IdempotencyLeaseLost(),
    };
  }
  return hook;
}

/** A stored answer as sent: the bytes themselves, or rendered from the order data stored with the change. */
export function materialize(
  response: StoredResponse,
  actor: Actor,
  render: Render | undefined,
): StoredResponse {
  if (response.headers['Content-Type'] !== ORDER_SNAPSHOT_TYPE) return response;
  if (!render) throw new Error('A stored order snapshot needs the route’s renderer to be replayed');
  return render(orderFromSnapshot(response.body, actor));
}
