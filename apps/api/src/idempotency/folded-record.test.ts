/**
 * Issue 15: a keyed transition whose client named its version is ONE statement — the key's claim,
 * the conditional update, its event and the completed idempotency record (the answer's data) — so
 * the change and its record commit together without a transaction around them; a request that took
 * a lease first (the lease path) completes its record in its one write statement the same way.
 * Pinned here: the record is written by that statement, replays are the first answer byte for byte
 * on REST and tRPC, a holder that lost its lease changes nothing, and all of it also works with
 * prepared statements off (a transaction-mode pooler).
 */
import { executeRows } from '@quickeats/db';
import type { Actor, Order } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { type FoldedRecord, ORDER_SNAPSHOT_TYPE } from '../services/order-store';
import { type CommitHook, performAction } from '../services/orders.service';
import {
  type DemoClients,
  demoClients,
  demoMenu,
  newKey,
  orderIn,
  postInit,
} from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { createCaller } from '../trpc/root';
import { createContextInner } from '../trpc/trpc';
import { commitHook } from './commit-hook';
import { IdempotencyLeaseLost, type StoredResponse } from './store';

describe.each([true, false])(
  'a keyed transition folded into one statement (prepared statements: %s)',
  (prepared) => {
    let t: TestApp;
    let c: DemoClients;
    let owner: Actor;
    let ownerToken: string;

    beforeAll(async () => {
      t = await createTestApp({ seed: { orders: 0 }, poolSize: 2, preparedStatements: prepared });
      c = await demoClients(t);
      owner = await t.actorFor(DEMO_ACCOUNTS.owner);
      ownerToken = await t.tokenFor(DEMO_ACCOUNTS.owner);
    });
    afterAll(() => t?.close());

    const accept = async (id: string, version: number, key: string) => {
      const res = await t.app.request(
        `/api/v2/orders/${id}/accept`,
        postInit({ token: ownerToken, key, ifMatch: `"v${version}"` }),
      );
      return {
        status: res.status,
        body: await res.text(),
        contentType: res.headers.get('content-type'),
        etag: res.headers.get('etag'),
        replayed: res.headers.get('idempotent-replayed'),
        statements: res.headers.get('x-sql-statements'),
      };
    };
    const recordOf = async (key: string) =>
      (
        await executeRows<{
          state: string;
          response_status: number;
          response_headers: Record<string, string>;
          response_body: string;
        }>(
          t.database.db,
          sql`select state, response_status, response_headers, response_body from idempotency_keys where key = ${key}`,
        )
      )[0];
    const orderRow = async (id: string) =>
      (
        await executeRows<{ version: number; status: string; accepts: number }>(
          t.database.db,
          sql`select o.version, o.status,
                   (select count(*)::int from order_events e where e.order_id = o.id and e.action = 'accept') as accepts
              from orders o where o.id = ${id}`,
        )
      )[0]!;

    it('REST: the order changes once, the record is completed by the same statement, and replays are the first answer byte for byte', async () => {
      const order = await orderIn(t, c, 'paid');
      const key = newKey();
      const first = await accept(order.id, order.version, key);
      expect(first).toMatchObject({
        status: 200,
        etag: `"v${order.version + 1}"`,
        replayed: null,
        statements: '1',
      });
      expect(JSON.parse(first.body)).toMatchObject({
        data: { id: order.id, attributes: { status: 'accepted' } },
      });
      // The record holds the answer's data, marked as such: written by the transition statement.
      const record = await recordOf(key);
      expect(record).toMatchObject({
        state: 'completed',
        response_status: 200,
        response_headers: { 'Content-Type': ORDER_SNAPSHOT_TYPE },
      });
      expect(JSON.parse(record!.response_body)).toMatchObject({ id: order.id, status: 'accepted' });

      for (let i = 0; i < 2; i++) {
        const replay = await accept(order.id, order.version, key);
        expect(replay).toEqual({ ...first, replayed: 'true', statements: '1' });
      }
      expect(await orderRow(order.id)).toEqual({
        version: order.version + 1,
        status: 'accepted',
        accepts: 1,
      });
    });

    it('REST create: one statement inserts the order and its record (with the 201 it answered); the replay is the first answer', async () => {
      const menu = await demoMenu(t);
      const key = newKey();
      const create = async () => {
        const res = await t.app.request(
          '/api/v2/orders',
          postInit({
            token: await t.tokenFor(DEMO_ACCOUNTS.customer),
            key,
            body: {
              restaurantId: menu.restaurantId,
              items: [{ menuItemId: menu.menuItemIds[0]!, quantity: 2 }],
            },
          }),
        );
        return {
          status: res.status,
          body: await res.text(),
          location: res.headers.get('location'),
          replayed: res.headers.get('idempotent-replayed'),
        };
      };
      const first = await create();
      expect(first).toMatchObject({ status: 201, replayed: null });
      const id = JSON.parse(first.body).data.id as string;
      expect(first.location).toContain(id);
      expect(await recordOf(key)).toMatchObject({
        state: 'completed',
        response_status: 201,
        response_headers: { 'Content-Type': ORDER_SNAPSHOT_TYPE },
      });
      expect(await create()).toEqual({ ...first, replayed: 'true' });
      const [count] = await executeRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from orders where id = ${id}`,
      );
      expect(count).toEqual({ n: 1 });
    });

    it('tRPC: the replay returns the very order the first call returned', async () => {
      const order = await orderIn(t, c, 'paid');
      const call = () => {
        const responseHeaders = new Headers();
        const caller = createCaller(
          createContextInner({
            deps: t.deps,
            actor: owner,
            requestId: 'test',
            log: createLogger('silent'),
            responseHeaders,
          }),
        );
        return { caller, responseHeaders };
      };
      const idempotencyKey = newKey();
      const first = call();
      const accepted = await first.caller.orders.accept({
        orderId: order.id,
        expectedVersion: order.version,
        idempotencyKey,
      });
      expect(accepted).toMatchObject({ status: 'accepted', version: order.version + 1 });
      expect((await recordOf(idempotencyKey))?.response_headers).toEqual({
        'Content-Type': ORDER_SNAPSHOT_TYPE,
      });
      const again = call();
      expect(
        await again.caller.orders.accept({
          orderId: order.id,
          expectedVersion: order.version,
          idempotencyKey,
        }),
      ).toEqual(accepted);
      expect(again.responseHeaders.get('idempotent-replayed')).toBe('true');
      expect((await orderRow(order.id)).accepts).toBe(1);
    });

    it('a holder whose lease was taken over changes nothing; the new holder changes the order once', async () => {
      const order = await orderIn(t, c, 'paid');
      const store = t.deps.idempotency;
      const scope = { userId: owner.userId, route: `POST /api/v2/orders/${order.id}/accept`, key: newKey() };
      const old = await store.admit(scope, 'fp');
      if (old.kind !== 'acquired') throw new Error('expected to take the key');
      // The old holder's lease ran out (its process stalled): another request takes the key over.
      await t.database.db.execute(
        sql`update idempotency_keys set lease_expires_at = now() - interval '1 second' where key = ${scope.key}`,
      );
      const taken = await store.admit(scope, 'fp');
      if (taken.kind !== 'acquired') throw new Error('expected to take the expired key over');

      const render = (o: { version: number }): StoredResponse => ({
        status: 200,
        headers: {},
        body: String(o.version),
      });
      const cmd = {
        orderId: order.id,
        action: 'accept' as const,
        ifMatch: { kind: 'versions' as const, versions: [order.version], weak: 0, foreign: 0 },
      };
      const recorded: StoredResponse[] = [];
      const late = performAction(t.deps, owner, cmd, {
        onCommit: commitHook(store, old.lease, render, (r) => recorded.push(r)),
      });
      await expect(late).rejects.toBeInstanceOf(IdempotencyLeaseLost);
      expect(await orderRow(order.id)).toEqual({ version: order.version, status: 'paid', accepts: 0 });
      expect(recorded).toEqual([]);

      const accepted = await performAction(t.deps, owner, cmd, {
        onCommit: commitHook(store, taken.lease, render, (r) => recorded.push(r)),
      });
      expect(accepted.version).toBe(order.version + 1);
      expect(recorded).toEqual([{ status: 200, headers: {}, body: String(order.version + 1) }]);
      expect(await orderRow(order.id)).toEqual({
        version: order.version + 1,
        status: 'accepted',
        accepts: 1,
      });
      expect((await recordOf(scope.key))?.state).toBe('completed');
    });

    describe('the insert form (the Upstash store: the lease is in Redis, Postgres gets the final record)', () => {
      const acceptCmd = (o: { id: string; version: number }) => ({
        orderId: o.id,
        action: 'accept' as const,
        ifMatch: { kind: 'versions' as const, versions: [o.version], weak: 0, foreign: 0 },
      });
      /** A hook whose record the statement inserts (as the Upstash store's `foldable` gives). */
      function inserting(scope: { route: string; key: string }) {
        const committed: Order[] = [];
        const record: FoldedRecord = {
          mode: 'insert',
          userId: owner.userId,
          ...scope,
          fingerprint: 'fp',
          retentionSeconds: 86_400,
        };
        const hook = (async () => {
          throw new Error('the folded path never opens a transaction');
        }) as CommitHook;
        hook.fold = { record, committed: (o) => committed.push(o), lost: () => new IdempotencyLeaseLost() };
        return { hook, committed };
      }

      it('inserts the completed record with the change; a second execution of the key changes nothing', async () => {
        const [a, b] = [await orderIn(t, c, 'paid'), await orderIn(t, c, 'paid')];
        const scope = { route: 'POST /folded-insert', key: newKey() };
        const first = inserting(scope);
        await performAction(t.deps, owner, acceptCmd(a), { onCommit: first.hook });
        expect(first.committed).toHaveLength(1);
        expect((await recordOf(scope.key))?.state).toBe('completed');
        // Redis lost the lease and the same key ran again (here on another order, to see it not change).
        const second = inserting(scope);
        await expect(
          performAction(t.deps, owner, acceptCmd(b), { onCommit: second.hook }),
        ).rejects.toBeInstanceOf(IdempotencyLeaseLost);
        expect(await orderRow(b.id)).toEqual({ version: b.version, status: 'paid', accepts: 0 });
        expect(second.committed).toEqual([]);
      });

      it('executions racing on one key: exactly one change commits, the others roll back on the unique index', async () => {
        const orders = await Promise.all(Array.from({ length: 6 }, () => orderIn(t, c, 'paid')));
        const scope = { route: 'POST /folded-race', key: newKey() };
        const outcomes = await Promise.allSettled(
          orders.map((o) => performAction(t.deps, owner, acceptCmd(o), { onCommit: inserting(scope).hook })),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes)
          if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IdempotencyLeaseLost);
        const rows = await Promise.all(orders.map((o) => orderRow(o.id)));
        expect(rows.filter((r) => r.status === 'accepted')).toHaveLength(1);
        expect(rows.reduce((n, r) => n + r.accepts, 0)).toBe(1);
      });
    });
  },
);
