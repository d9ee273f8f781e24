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
import { type QueryClient, QueryClientProvider, useMutation, useQueryClient } from '@tanstack/react-query';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
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

/** How fresh the orders on screen are: `live` while updates arrive, `reconnecting` after a failure. */
export type UpdatesConnection = 'connecting' | 'live' | 'reconnecting';

export interface OrderUpdatesOptions {
  /** Follow one order (its query); without it, every order query on the page. */
  orderId?: string;
  /** Period of the fallback poll in ms (default 2000). */
  pollMs?: number;
  /** Turn updates off (e.g. signed out). */
  enabled?: boolean;
}

/**
 * Keeps the order queries on the page up to date: the one place an app learns that an order
 * changed. It re-reads the followed order(s) every `pollMs`; `connection` says whether the last
 * read reached the API, so an app can show a "reconnecting" banner while it does not.
 */
export function useOrderUpdates(options: OrderUpdatesOptions = {}): { connection: UpdatesConnection } {
  const { orderId, pollMs = 2000, enabled = true } = options;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<UpdatesConnection>('connecting');
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const filter = orderId ? trpc.orders.get.queryFilter({ orderId }) : trpc.orders.pathFilter();
    const tick = async () => {
      try {
        // throwOnError: a failed read must flip the banner, not be swallowed by the cache.
        await queryClient.refetchQueries({ ...filter, type: 'active' }, { throwOnError: true });
        if (!stopped) setConnection('live');
      } catch {
        if (!stopped) setConnection('reconnecting');
      }
      if (!stopped) timer = setTimeout(tick, pollMs);
    };
    timer = setTimeout(tick, pollMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [enabled, orderId, pollMs, queryClient, trpc]);
  return { connection };
}
