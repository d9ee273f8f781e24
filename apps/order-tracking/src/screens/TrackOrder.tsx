import { formatMoney, InvalidTransitionError, type Order, StaleVersionError } from '@quickeats/sdk';
import { useOrderAction, useOrderUpdates, useTRPC } from '@quickeats/sdk/react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { errorText, shortId, when } from '../format';
import { STATUS_WORDS, timeline } from '../timeline';
import { Reconnecting } from './MyOrders';
import { ReasonDialog } from './ReasonDialog';

const CANCEL_REASONS = [
  'Ordered by mistake',
  'It is taking too long',
  'I changed my mind',
  'Something else',
] as const;

/** What to tell the customer when an action was refused, in their words (no versions, no codes). */
function refusal(err: unknown, what: string): string {
  if (err instanceof StaleVersionError || err instanceof InvalidTransitionError)
    return `Could not ${what}: your order changed in the meantime. Its current state is shown below.`;
  return `Could not ${what}: ${errorText(err)}`;
}

export function TrackOrder({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const order = useQuery(trpc.orders.get.queryOptions({ orderId }));
  const restaurant = useQuery({
    ...trpc.restaurants.get.queryOptions({ restaurantId: order.data?.restaurantId ?? '' }),
    enabled: !!order.data,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const { connection } = useOrderUpdates({ orderId });
  const act = useOrderAction();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  // Announce every change of status after the first render (a screen reader hears the order move).
  const seen = useRef<Order['status'] | null>(null);
  const status = order.data?.status;
  useEffect(() => {
    if (!status) return;
    if (seen.current && seen.current !== status)
      setAnnouncement(`Your order is now: ${STATUS_WORDS[status]}.`);
    seen.current = status;
  }, [status]);

  if (order.isPending)
    return (
      <p className="muted" aria-busy="true">
        Loading your order…
      </p>
    );
  // A failed refetch keeps the order on screen (with the reconnecting banner); only a first load can fail.
  if (!order.data)
    return (
      <section>
        <h1 tabIndex={-1}>Order not found</h1>
        <p className="notice error" role="alert">
          Could not load this order: {errorText(order.error)}
        </p>
        <a href="#/">Back to my orders</a>
      </section>
    );

  const o = order.data;
  const steps = timeline(o);
  const run = async (action: 'pay' | 'cancel', reason?: string) => {
    setNotice(null);
    try {
      await act.mutateAsync({ action, order: o, ...(reason ? { reason } : {}) });
    } catch (err) {
      setNotice(refusal(err, action === 'pay' ? 'take the payment' : 'cancel the order'));
      await queryClient.invalidateQueries(trpc.orders.get.queryFilter({ orderId }));
    }
  };

  return (
    <section
      aria-labelledby="order-title"
      data-testid="track-order"
      data-order-id={o.id}
      data-status={o.status}
    >
      <div className="title-row">
        <h1 id="order-title" tabIndex={-1}>
          {restaurant.data?.name ?? 'Your order'} <span className="muted">#{shortId(o.id)}</span>
        </h1>
        <a href="#/">All orders</a>
      </div>
      {connection === 'reconnecting' && <Reconnecting />}
      <p className="status-line" data-testid="status-words">
        {STATUS_WORDS[o.status]}
        <span className="muted"> · updated {when(o.updatedAt)}</span>
      </p>
      <p className="visually-hidden" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      {notice && (
        <p className="notice warn" role="alert" data-testid="notice">
          {notice}
        </p>
      )}

      <ol className="timeline" aria-label="Order progress" data-testid="timeline">
        {steps.map((step) => (
          <li
            key={step.status}
            className={step.state}
            data-status={step.status}
            data-state={step.state}
            aria-current={step.state === 'current' ? 'step' : undefined}
          >
            <span className="dot" aria-hidden="true" />
            <span>
              {step.label}
              <span className="visually-hidden">
                {step.state === 'done'
                  ? ' (done)'
                  : step.state === 'current'
                    ? ' (now)'
                    : step.state === 'todo'
                      ? ' (to come)'
                      : ''}
              </span>
            </span>
          </li>
        ))}
      </ol>

      <div className="panel">
        <h2>What you ordered</h2>
        <ul className="lines">
          {o.items.map((item) => (
            <li key={item.id}>
              <span>
                {item.quantity}× {item.name}
              </span>
              <span>
                {formatMoney({
                  amount: item.unitPrice.amount * item.quantity,
                  currency: item.unitPrice.currency,
                })}
              </span>
            </li>
          ))}
          <li className="total">
            <span>Total</span>
            <span>{formatMoney(o.total)}</span>
          </li>
        </ul>
        {o.note && <p className="note">Note: “{o.note}”</p>}
        <div className="actions">
          {o.allowedActions.includes('pay') && (
            <button
              type="button"
              className="primary"
              disabled={act.isPending}
              onClick={() => run('pay')}
              data-testid="pay"
            >
              {act.isPending ? 'Paying…' : `Pay ${formatMoney(o.total)}`}
            </button>
          )}
          {o.allowedActions.includes('cancel') && (
            <button
              type="button"
              className="danger"
              disabled={act.isPending}
              onClick={() => setConfirming(true)}
              data-testid="cancel"
            >
              Cancel order
            </button>
          )}
        </div>
      </div>

      <ReasonDialog
        open={confirming}
        title={`Cancel order #${shortId(o.id)}?`}
        reasons={CANCEL_REASONS}
        confirmLabel="Cancel order"
        cancelLabel="Keep my order"
        onClose={() => setConfirming(false)}
        onConfirm={(reason) => {
          setConfirming(false);
          void run('cancel', reason);
        }}
      />
    </section>
  );
}
