/**
 * The same team's React code on `@quickeats/sdk/react` (TanStack Query through tRPC's integration):
 * type-checked by the consumer test, not run (it needs a browser).
 */

import { QuickEatsProvider, useOrderAction, useTRPC } from '@quickeats/sdk/react';
import { createTrpcClient } from '@quickeats/sdk/trpc';
import { QueryClient, useQuery } from '@tanstack/react-query';

export function OrderCard({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const order = useQuery(trpc.orders.get.queryOptions({ orderId }));
  const act = useOrderAction();
  if (!order.data) return <p>Loading…</p>;
  const current = order.data;
  // @ts-expect-error not an action
  act.mutate({ action: 'refund', order: current });
  return (
    <button type="button" onClick={() => act.mutate({ action: 'pay', order: current })}>
      Pay {current.total.amount}
    </button>
  );
}

export function App() {
  const client = createTrpcClient({ baseUrl: 'http://localhost:3000' });
  return (
    <QuickEatsProvider client={client} queryClient={new QueryClient()}>
      <OrderCard orderId="0b9f6c7e-5d1a-4c2b-9a8e-3f1d2c4b5a69" />
    </QuickEatsProvider>
  );
}
