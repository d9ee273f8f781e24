/**
 * The v1 problem scenarios re-run on v2 with the same scenario code, through the v2 adapter:
 * each must come out the other way (SPEC "The five problems of v1").
 */
import { loadDemoWorld, orderEvents, orders } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type ApiProcess, startApiProcess } from '@quickeats/test-support';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from './http-target';
import { invalidTransitionScenario } from './invalid-transition.scenario';
import { racingCancelAcceptScenario } from './racing-cancel-accept.scenario';
import { type ScenarioServer, startScenarioServer } from './test-server';
import { v2Adapter } from './v2.adapter';

describe('v2 problem 1 (in-process app, real PostgreSQL)', () => {
  let t: ScenarioServer;
  beforeAll(async () => {
    t = await startScenarioServer({ seed: { orders: 0 } });
  });
  afterAll(() => t?.close());

  it('refuses to cancel a delivered order: 409 with the allowed actions, order unchanged', async () => {
    const outcome = await invalidTransitionScenario({
      adapter: v2Adapter,
      http: urlTarget(t.url),
      world: await loadDemoWorld(t.database.db),
    });
    expect(outcome.lifecycleAllows).toBe(false);
    expect(outcome.response.status).toBe(409);
    expect(outcome.response.body).toMatchObject({ code: 'INVALID_TRANSITION', allowedActions: [] });
    expect(outcome.invalidTransitionAccepted).toBe(false);
    expect(outcome.final.status).toBe('delivered');
  });
});

describe('v2 problem 3 (two API processes, concurrent connections)', () => {
  let db: TestDatabase;
  const apis: ApiProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase({ seed: { orders: 10 } });
    apis.push(
      ...(await Promise.all([
        startApiProcess({ DATABASE_URL: db.url }),
        startApiProcess({ DATABASE_URL: db.url }),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop()));
    await db?.close();
  });

  it('a concurrent cancel and accept: exactly one wins, the other is told (412), nothing lost', async () => {
    // Alternate the two racing requests between the processes, so the race crosses processes.
    let n = 0;
    const http = {
      description: 'two API processes',
      fetch: (path: string, init?: RequestInit) => urlTarget(apis[n++ % 2]!.url).fetch(path, init),
    };
    const outcome = await racingCancelAcceptScenario({
      adapter: v2Adapter,
      http,
      world: await loadDemoWorld(db.db),
    });
    expect(outcome.start.status).toBe('paid');
    expect(outcome.succeeded).toHaveLength(1);
    expect(outcome.lostUpdate).toBe(false);
    const loser = outcome.succeeded[0] === 'cancel' ? 'accept' : 'cancel';
    expect([409, 412]).toContain(outcome.responses[loser].status);
    expect(outcome.final.version).toBe(outcome.start.version + 1);
    expect(outcome.final.status).toBe(outcome.succeeded[0] === 'cancel' ? 'cancelled' : 'accepted');
    const events = await db.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, outcome.orderId))
      .orderBy(asc(orderEvents.version));
    expect(events.map((e) => e.version)).toEqual(
      Array.from({ length: outcome.final.version }, (_, i) => i + 1),
    );
    const [row] = await db.db.select().from(orders).where(eq(orders.id, outcome.orderId));
    expect(row?.status).toBe(events.at(-1)?.toStatus);
  });
});
