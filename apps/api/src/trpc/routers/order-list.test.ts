/**
 * `orders.list` and `restaurants.*` over tRPC: typed nested output, the same stable error codes
 * as REST, the same visibility, and one statement per call whatever the page size and includes.
 */
import { newStatementTally, type StatementTally } from '@quickeats/db';
import { canView, ORDER_INCLUDE_PATHS } from '@quickeats/domain';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestDeps } from '../../context';
import { allOrders, type OrderFacts, type ReadClients, readClients } from '../../testing/reads-fixture';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { createCaller } from '../root';
import { createContextInner } from '../trpc';

describe('tRPC orders.list / restaurants', () => {
  let t: TestApp;
  let c: ReadClients;
  let orders: OrderFacts[];
  const caller = (role: keyof ReadClients, tally?: StatementTally) =>
    createCaller(
      createContextInner({
        deps: tally ? requestDeps(t.deps, tally) : t.deps,
        actor: c[role].actor,
        requestId: 'test',
        log: t.deps.logger,
      }),
    );
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 250 } });
    c = await readClients(t);
    orders = await allOrders(t);
  });
  afterAll(() => t?.close());

  it('one statement for page sizes 1, 20 and 100 with every include', async () => {
    for (const pageSize of [1, 20, 100]) {
      const tally = newStatementTally();
      const result = await caller('admin', tally).orders.list({
        include: [...ORDER_INCLUDE_PATHS],
        pageSize,
      });
      expect(result.items).toHaveLength(pageSize);
      expect(tally.count).toBe(1);
    }
  });

  it('nests exactly the included relations; items are always there', async () => {
    const full = await caller('admin').orders.list({ include: [...ORDER_INCLUDE_PATHS], pageSize: 40 });
    const withRider = full.items.find((o) => o.riderId)!;
    expect(withRider.rider?.id).toBe(withRider.riderId);
    expect(withRider.customer?.id).toBe(withRider.customerId);
    expect(withRider.restaurant?.id).toBe(withRider.restaurantId);
    expect(withRider.events?.map((e) => e.version)).toEqual(
      Array.from({ length: withRider.version }, (_, i) => i + 1),
    );
    for (const item of withRider.items) expect(item.menuItem?.id).toBe(item.menuItemId);
    expect(full.items.some((o) => o.rider === null)).toBe(true);

    const plain = await caller('admin').orders.list({ include: ['customer'], pageSize: 5 });
    for (const o of plain.items) {
      expect(o.customer?.id).toBe(o.customerId);
      expect(o).not.toHaveProperty('rider');
      expect(o).not.toHaveProperty('restaurant');
      expect(o.items.length).toBeGreaterThan(0);
      expect(o.items[0]).not.toHaveProperty('menuItem');
    }
  });

  it('walks every page with nextCursor and honours the filters', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller('owner').orders.list({
        pageSize: 30,
        cursor,
        filter: { status: ['delivered'] },
      });
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(
      orders.filter((o) => o.owner_id === c.owner.actor.userId && o.status === 'delivered').map((o) => o.id),
    );
  });

  it('shows a customer only their own orders', async () => {
    const page = await caller('customer2').orders.list({ pageSize: 100 });
    const expected = orders.filter((o) =>
      canView(
        {
          status: o.status as never,
          customerId: o.customer_id,
          restaurantOwnerId: o.owner_id,
          riderId: o.rider_id,
        },
        c.customer2.actor,
      ),
    );
    expect(page.items.map((o) => o.id)).toEqual(expected.map((o) => o.id));
  });

  it('PAGE_SIZE_TOO_LARGE, INVALID_CURSOR and an unknown include carry REST’s codes', async () => {
    const codeOf = async (p: Promise<unknown>) => {
      const err = await p.catch((e) => e);
      expect(err).toBeInstanceOf(TRPCError);
      return { code: (err as TRPCError).code, cause: ((err as TRPCError).cause as { code?: string })?.code };
    };
    expect(await codeOf(caller('admin').orders.list({ pageSize: 101 }))).toEqual({
      code: 'BAD_REQUEST',
      cause: 'PAGE_SIZE_TOO_LARGE',
    });
    expect(await codeOf(caller('admin').orders.list({ cursor: 'bogus' }))).toEqual({
      code: 'BAD_REQUEST',
      cause: 'INVALID_CURSOR',
    });
    expect((await codeOf(caller('admin').orders.list({ include: ['menu' as never] }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('over HTTP: X-SQL-Statements is 1 and the error body names the stable code', async () => {
    const input = encodeURIComponent(JSON.stringify({ include: [...ORDER_INCLUDE_PATHS], pageSize: 50 }));
    const ok = await c.admin.get(`/trpc/orders.list?input=${input}`);
    expect(ok.status).toBe(200);
    expect(ok.statements).toBe(1);
    expect(ok.body.result.data.items).toHaveLength(50);
    const tooBig = await c.admin.get(
      `/trpc/orders.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 500 }))}`,
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.data.errorCode).toBe('PAGE_SIZE_TOO_LARGE');
  });

  it('restaurants.list pages by name; restaurants.get returns the menu; unknown id is NOT_FOUND', async () => {
    const first = await caller('rider').restaurants.list({ pageSize: 3 });
    const rest = await caller('rider').restaurants.list({ pageSize: 3, cursor: first.nextCursor! });
    const names = [...first.items, ...rest.items].map((r) => r.name);
    expect(names).toHaveLength(5);
    expect(names).toEqual([...names].sort());
    expect(rest.nextCursor).toBeNull();
    const one = await caller('customer').restaurants.get({ restaurantId: first.items[0]!.id });
    expect(one.menuItems).toHaveLength(8);
    expect(one.menuItems.every((m) => m.restaurantId === one.id)).toBe(true);
    const missing = await caller('customer')
      .restaurants.get({ restaurantId: '00000000-0000-4000-8000-000000000000' })
      .catch((e) => e);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
  });
});
