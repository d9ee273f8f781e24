/**
 * A frontend team's code in its own repository, using the published `@quickeats/sdk` (both clients).
 * `src/published.e2e.test.ts` copies this folder OUTSIDE the workspace, installs the packed tarball
 * with npm, type-checks it (the `@ts-expect-error` lines must be errors) and runs the output with
 * plain `node` against a live API: `node out/consumer.js <apiUrl> <restaurantId> <menuItemId>`.
 */
import { createRestClient, type Order, QuickEatsApiError } from '@quickeats/sdk';
import { createTrpcClient } from '@quickeats/sdk/trpc';

declare const process: { argv: string[]; exitCode?: number };

const [baseUrl = '', restaurantId = '', menuItemId = ''] = process.argv.slice(2);

async function main() {
  // A customer on REST: list, create, pay — Idempotency-Key and If-Match sent by the SDK.
  const rest = createRestClient({ baseUrl });
  await rest.login('customer@quickeats.test', 'quickeats-demo');
  const restaurants = await rest.restaurants.list({ pageSize: 5 });
  const created: Order = await rest.orders.create({ restaurantId, items: [{ menuItemId, quantity: 2 }] });
  const paid = await rest.orders.pay(created);
  const listed = await rest.orders.list({ status: 'paid' });

  // The REST escape hatch is typed for JSON:API documents.
  const { data: doc } = await rest.api.GET('/orders/{id}', { params: { path: { id: paid.id } } });
  const restStatus = doc?.data.attributes?.status;

  // The restaurant owner on tRPC: an action on the version the owner holds.
  const trpc = createTrpcClient({ baseUrl });
  await trpc.login('owner@quickeats.test', 'quickeats-demo');
  const held = await trpc.orders.get(paid.id);
  const accepted = await trpc.trpc.orders.accept.mutate({
    orderId: held.id,
    expectedVersion: held.version,
    idempotencyKey: `consumer-${held.id}`,
  });

  // A stale version is a typed error, not a silent overwrite.
  let stale = '';
  try {
    await trpc.orders.markReady({ id: held.id, version: held.version });
  } catch (err) {
    if (err instanceof QuickEatsApiError) stale = err.code;
  }

  console.log(
    JSON.stringify({
      restaurants: restaurants.items.length,
      created: { status: created.status, version: created.version },
      paid: { status: paid.status, version: paid.version },
      listedPaid: listed.items.some((o) => o.id === paid.id),
      restStatus,
      accepted: { status: accepted.status, version: accepted.version },
      stale,
    }),
  );
}

/** Never called: each marked line must be a compile error for the consumer's `tsc`. */
export async function compileErrors(order: Order) {
  const rest = createRestClient({ baseUrl });
  const trpc = createTrpcClient({ baseUrl });
  // @ts-expect-error a field the API does not have
  await rest.orders.create({ restaurantId, items: [{ menuItemId, quantity: 1, colour: 'red' }] });
  // @ts-expect-error expectedVersion is required on every action
  await trpc.trpc.orders.accept.mutate({ orderId: order.id, idempotencyKey: 'k' });
  // @ts-expect-error there is no such action
  await trpc.orders.refund(order);
  // @ts-expect-error there is no such action on REST either
  await rest.orders.act('refund', order);
  const { data } = await rest.api.GET('/orders/{id}', { params: { path: { id: order.id } } });
  // @ts-expect-error JSON:API attributes have no such member
  console.log(data?.data.attributes?.colour);
  // @ts-expect-error the status is a closed set
  const s: 'shipped' = order.status;
  return s;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
