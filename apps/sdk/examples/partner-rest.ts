/**
 * The README's partner example, type-checked with the package (`pnpm typecheck`).
 * Run it against a local API: `pnpm start`, then `pnpm --filter @quickeats/sdk exec tsx examples/partner-rest.ts`.
 */
import { createRestClient, formatMoney, StaleVersionError } from '@quickeats/sdk';

const qe = createRestClient({ baseUrl: process.argv[2] ?? 'http://localhost:3000' });
await qe.login('customer@quickeats.test', 'quickeats-demo');

const { items: restaurants } = await qe.restaurants.list();
const menu = await qe.restaurants.get(restaurants[0]!.id);
const order = await qe.orders.create({
  restaurantId: menu.id,
  items: [{ menuItemId: menu.menuItems[0]!.id, quantity: 2 }],
});
const paid = await qe.orders.pay(order); // Idempotency-Key + If-Match: "v1"
console.log(`paid ${formatMoney(paid.total)} for order ${paid.id}`);

try {
  await qe.orders.cancel(paid, { reason: 'changed my mind' });
} catch (err) {
  if (err instanceof StaleVersionError) {
    const fresh = await qe.orders.get(paid.id); // someone else acted first: look again
    console.log(`now ${fresh.status}; allowed: ${fresh.allowedActions.join(', ')}`);
  } else throw err;
}
