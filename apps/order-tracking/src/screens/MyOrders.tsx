import { formatMoney } from '@quickeats/sdk';
import { useOrderUpdates, useTRPC } from '@quickeats/sdk/react';
import { useQuery } from '@tanstack/react-query';
import { errorText, shortId, when } from '../format';
import { STATUS_WORDS } from '../timeline';

export function MyOrders() {
  const trpc = useTRPC();
  const orders = useQuery(trpc.orders.list.queryOptions({ include: ['restaurant'], pageSize: 50 }));
  const { connection } = useOrderUpdates();
  const items = [...(orders.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <section aria-labelledby="orders-title" aria-busy={orders.isPending}>
      <div className="title-row">
        <h1 id="orders-title" tabIndex={-1}>
          My orders
        </h1>
        <a className="button primary" href="#/new">
          Order food
        </a>
      </div>
      {connection === 'reconnecting' && <Reconnecting />}
      {orders.isPending && <p className="muted">Loading your orders…</p>}
      {orders.isError && !orders.data && (
        <p className="notice error" role="alert">
          Could not load your orders: {errorText(orders.error)}
        </p>
      )}
      {orders.isSuccess && items.length === 0 && (
        <p className="empty" data-testid="orders-empty">
          No orders yet. <a href="#/new">Order something</a> and follow it here.
        </p>
      )}
      {items.length > 0 && (
        <ul className="order-list" data-testid="order-list">
          {items.map((order) => (
            <li key={order.id}>
              <a
                href={`#/orders/${order.id}`}
                className="order-row"
                data-testid="order-row"
                data-order-id={order.id}
              >
                <span className="what">
                  <strong>{order.restaurant?.name ?? 'Order'}</strong>
                  <span className="muted">
                    #{shortId(order.id)} · {when(order.createdAt)} · {formatMoney(order.total)}
                  </span>
                </span>
                <span className={`badge ${order.status}`}>{STATUS_WORDS[order.status]}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Reconnecting() {
  return (
    <p className="notice warn" role="status" data-testid="reconnecting">
      Reconnecting… what you see may be out of date.
    </p>
  );
}
