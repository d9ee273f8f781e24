/**
 * `@quickeats/sdk/react`: the SDK for React apps — TanStack Query through tRPC's official
 * integration (`@trpc/tanstack-react-query`), on the SDK's tRPC client (so auth, retries and
 * timeouts are the SDK's), plus mutation hooks that keep the SDK's guarantees:
 * every action is conditional on the version of the order the user saw (`expectedVersion`), and
 * the same logical operation (a double click, "try again" after a lost answer) reuses its
 * idempotency key, so the API replays the first result instead of charging twice.
 *
 * @example
 * const client = createTrpcClient({ baseUrl: location.origin });
 * const queryClient = new QueryClient();
 * root.render(<QuickEatsProvider client={client} queryClient={queryClient}><App /></QuickEatsProvider>);
 * // in a component:
 * const trpc = useTRPC();
 * const order = useQuery(trpc.orders.get.queryOptions({ orderId }));
 * const act = useOrderAction();
 * act.mutate({ action: 'pay', order: order.data });
 */
import {
  type QueryClient,
  QueryClientProvider,
  skipToken,
  useMutation,
  useQueryClient,
} from '@tanstack/react-query';
import { createTRPCContext, useSubscription } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef } from 'react';
import { newIdempotencyKey } from '../idempotency';
import type { AppRouter, CreateOrderInput, Order, OrderAction } from '../public/types.generated';
import type { TrpcClient } from '../trpc/client';
import { type IdempotencyKeyMemo, idempotencyKeyMemo } from './keys';

export { type IdempotencyKeyMemo, idempotencyKeyMemo } from './keys';

/** tRPC's React context for the API's router: `useTRPC()` gives `queryOptions`/`queryKey` factories. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const ClientContext = createContext<TrpcClient | null>(null);

export interface QuickEatsProviderProps {
  /** The SDK's tRPC client (`createTrpcClient`); its token is what every query sends. */
  client: TrpcClient;
  queryClient: QueryClient;
  children?: ReactNode;
}

/** TanStack Query + tRPC + the SDK client, in one provider. */
export function QuickEatsProvider({ client, queryClient, children }: QuickEatsProviderProps) {
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client.trpc} queryClient={queryClient}>
        <ClientContext.Provider value={client}>{children}</ClientContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The SDK client given to `QuickEatsProvider` (login, logout, and the typed-error calls). */
export function useQuickEats(): TrpcClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useQuickEats() must be used inside <QuickEatsProvider>');
  return client;
}

/** Put a fresh representation of an order into the cache: its own query, and every list is refetched. */
export function useStoreOrder(): (order: Order) => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return (order) => {
    const key = trpc.orders.get.queryKey({ orderId: order.id });
    const held = queryClient.getQueryData<Order>(key);
    // An older representation (a late answer) never replaces a newer one.
    if (!held || held.version <= order.version) queryClient.setQueryData(key, order);
    void queryClient.invalidateQueries(trpc.orders.list.pathFilter());
  };
}

export interface OrderActionVariables {
  action: OrderAction;
  /** The order as the user saw it: its version is the precondition. */
  order: Pick<Order, 'id' | 'version'>;
  /** Kept in the audit log (reject, cancel). */
  reason?: string;
}

/**
 * A lifecycle action (pay, accept, reject, cancel, …) as a TanStack mutation. The idempotency key
 * belongs to (order, version, action, reason): submitting the same thing again — a double click,
 * a retry after a network error — sends the same key, so a payment is never taken twice.
 */
export function useOrderAction() {
  const client = useQuickEats();
  const store = useStoreOrder();
  const keys = useRef<IdempotencyKeyMemo>(idempotencyKeyMemo(newIdempotencyKey)).current;
  return useMutation({
    mutationFn: ({ action, order, reason }: OrderActionVariables) => {
      const operation = { action, id: order.id, version: order.version, reason: reason ?? null };
      return client.orders.act(action, order, {
        idempotencyKey: keys.keyFor(operation),
        ...(reason === undefined ? {} : { reason }),
      });
    },
    onSuccess: store,
  });
}

/**
 * Place an order. The same cart submitted again (after a lost answer) reuses its key, so it
 * creates one order, not two; a changed cart is a new operation with a new key.
 */
export function useCreateOrder() {
  const client = useQuickEats();
  const store = useStoreOrder();
  const keys = useRef<IdempotencyKeyMemo>(idempotencyKeyMemo(newIdempotencyKey)).current;
  return useMutation({
    mutationFn: (input: CreateOrderInput) =>
      client.orders.create(input, { idempotencyKey: keys.keyFor(input) }),
    onSuccess: store,
  });
}

/** How fresh the orders on screen are: `live` while the event stream is open, `reconnecting` after it dropped. */
export type UpdatesConnection = 'connecting' | 'live' | 'reconnecting';

export interface OrderUpdatesOptions {
  /** Follow one order; without it, every order the caller may see. */
  orderId?: string;
  /** Turn updates off (e.g. signed out). */
  enabled?: boolean;
}

/** Longest pause before opening the stream again after it ended with an error. */
const MAX_RETRY_MS = 10_000;

/**
 * Keeps the order queries on the page up to date: the one place a page learns that orders
 * changed. It follows the API's event stream (the tRPC subscription `orders.onEvent`, through
 * `useSubscription`) and, per event, refetches that order and the order lists. tRPC resumes after
 * the last event on a reconnect (tracked ids); when the stream gives up (a proxy's 502 during an
 * API restart) it is opened again after a growing pause, and every reconnection refetches
 * everything once. `connection` is for a "reconnecting" banner.
 */
export function useOrderUpdates(options: OrderUpdatesOptions = {}): { connection: UpdatesConnection } {
  const { orderId, enabled = true } = options;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const wasDown = useRef(false);
  const attempt = useRef(0);
  const subscription = useSubscription(
    trpc.orders.onEvent.subscriptionOptions(enabled ? (orderId ? { orderId } : {}) : skipToken, {
      onData: ({ data: event }) => {
        void queryClient.invalidateQueries(trpc.orders.get.queryFilter({ orderId: event.orderId }));
        void queryClient.invalidateQueries(trpc.orders.list.pathFilter());
      },
    }),
  );
  const { status, reset } = subscription;
  useEffect(() => {
    if (status === 'pending') {
      attempt.current = 0;
      if (wasDown.current) void queryClient.invalidateQueries(trpc.orders.pathFilter());
      wasDown.current = false;
    } else if (status === 'error' || (status === 'connecting' && subscription.error)) {
      wasDown.current = true;
    }
    if (status !== 'error') return;
    const timer = setTimeout(reset, Math.min(MAX_RETRY_MS, 500 * 2 ** attempt.current++));
    return () => clearTimeout(timer);
  }, [status, reset, subscription.error, queryClient, trpc]);
  const connection: UpdatesConnection =
    status === 'pending'
      ? 'live'
      : status === 'error' || wasDown.current || subscription.error
        ? 'reconnecting'
        : 'connecting';
  return { connection };
}
