/**
 * Issue 15: a transition's cost follows its one order, not the table. The transition statement runs
 * prepared, so after a few runs PostgreSQL plans it generically (no parameter values); every shape's
 * generic plan must reach `orders` only through its primary key. The update used to join the order
 * to the `cur` CTE only, and its generic plan scanned every order in the action's source status
 * through `orders_status_created_idx` (all the `ready` orders for a pick-up), growing with the table.
 */
import { DEMO_ACCOUNTS, executeRows, insertBulkOrders, orders, type Tx, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import type { OrderAction, Role } from '@quickeats/domain';
import { eq, fillPlaceholders, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FoldedRecord, transitionStatement } from './order-store';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

function scansOfOrders(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name'] === 'orders' && node['Node Type'] !== 'ModifyTable') out.push(node);
  for (const child of node.Plans ?? []) scansOfOrders(child, out);
  return out;
}

/** A literal for EXECUTE: the test's own values only (uuids, numbers, plain text, null). */
const literal = (v: unknown) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v}'`);

describe('transition plans at scale', () => {
  let db: TestDatabase;
  let orderId: string;
  let actorId: string;
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 40 } });
    // Statistics from when the table was small, as a long-lived connection's generic plan may have
    // been made: the table then grows past them before autovacuum analyzes it again.
    await executeRows(db.db, sql`analyze`);
    await executeRows(db.db, sql`alter table orders set (autovacuum_enabled = false)`);
    await insertBulkOrders(db.db, { orders: 20_000 });
    const [order] = await db.db.select({ id: orders.id }).from(orders).limit(1);
    const [owner] = await db.db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.owner));
    orderId = order!.id;
    actorId = owner!.id;
  });
  afterAll(() => db?.close());

  /** EXPLAIN ANALYZE of the shape's generic plan, in a transaction rolled back (nothing matches anyway). */
  async function genericPlan(
    action: OrderAction,
    role: Role,
    recordMode: FoldedRecord['mode'] | undefined,
    withPayment: boolean,
  ): Promise<PlanNode> {
    const statement = transitionStatement(action, role, recordMode, withPayment);
    const values = fillPlaceholders(statement.params, {
      orderId,
      // No order is at version -1: the plan runs, and changes nothing.
      expectedVersion: -1,
      actorId,
      reason: null,
      keyUserId: actorId,
      keyRoute: 'POST /plan-test',
      key: 'plan-test',
      keyHolder: '00000000-0000-4000-8000-000000000000', // a lease token or a fingerprint
      retentionSeconds: 60,
      answerStatus: 200,
      paymentAmount: 100,
      paymentCurrency: 'EUR',
      providerReference: 'ch_plan',
      paymentKey: 'pay:plan',
    });
    let plan: PlanNode | undefined;
    await db.db
      .transaction(async (tx: Tx) => {
        await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
        // A prepared statement outlives the transaction: deallocated before the rollback.
        await tx.execute(sql.raw(`prepare plan_test as ${statement.sql}`));
        const [row] = await executeRows<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(
          tx,
          sql.raw(`explain (analyze, format json) execute plan_test(${values.map(literal).join(', ')})`),
        );
        await tx.execute(sql`deallocate plan_test`);
        const value = row!['QUERY PLAN'];
        plan = (typeof value === 'string' ? JSON.parse(value) : value)[0].Plan;
        throw new RollBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RollBack)) throw err;
      });
    return plan!;
  }

  const shapes: [OrderAction, Role, FoldedRecord['mode'] | undefined, boolean][] = [
    ['accept', 'restaurant', undefined, false],
    ['accept', 'restaurant', 'insert', false],
    ['mark-ready', 'restaurant', undefined, false],
    ['pick-up', 'rider', undefined, false],
    ['deliver', 'rider', undefined, false],
    ['pay', 'customer', 'held', true],
    ['cancel', 'customer', 'insert', false],
    ['cancel', 'admin', undefined, false],
  ];
  for (const [action, role, recordMode, withPayment] of shapes) {
    it(`${action} by a ${role}${recordMode ? ` (${recordMode} record)` : ''}: orders only through its primary key`, async () => {
      const scans = scansOfOrders(await genericPlan(action, role, recordMode, withPayment));
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        expect(scan['Index Name'], JSON.stringify(scan)).toBe('orders_pkey');
        expect(scan['Actual Rows']).toBeLessThanOrEqual(1);
      }
    });
  }
});

class RollBack extends Error {}
