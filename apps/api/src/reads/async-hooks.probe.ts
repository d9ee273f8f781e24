/**
 * Run by `statement-counts.test.ts` as a process of its own (a test worker is shared by many test
 * files, and any of them may have entered an AsyncLocalStorage before): serves a v1 list, a v2 list
 * with every include, a GraphQL query and a tRPC list on the test app, and prints one JSON line
 * saying whether a new promise of the process was tracked by an async hook before, after, and
 * once a store is entered here (the control: the check can see tracking).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { readClients } from '../testing/reads-fixture';
import { createTestApp } from '../testing/test-app';

// A tracked promise carries async ids as own symbols.
const tracked = (p: Promise<unknown>) =>
  Object.getOwnPropertySymbols(p).some((s) => String(s).includes('async_id_symbol'));

const before = tracked(Promise.resolve());
const t = await createTestApp({ seed: { orders: 20 } });
const { admin } = await readClients(t);
const statuses = (
  await Promise.all([
    admin.get('/api/v1/orders?limit=2'),
    admin.get(`/api/v2/orders?page[size]=2&include=${ORDER_INCLUDE_PATHS.join(',')}`),
    admin.post('/graphql', { query: '{ orders(first: 2) { nodes { id status } } }' }),
    admin.get(`/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 2 }))}`),
  ])
).map((r) => r.status);
const after = tracked(Promise.resolve());
await t.close();
const control = new AsyncLocalStorage<number>().run(1, () => tracked(Promise.resolve()));
console.log(JSON.stringify({ before, statuses, after, control }));
process.exit(0);
