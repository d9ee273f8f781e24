/**
 * Scenario set-up through the surface under test: log everyone in, create an order as the customer
 * and walk it to the state a scenario starts from, along the lifecycle table's shortest path, each
 * step performed by the party the table names. Set-up failures throw: they are not outcomes.
 */
import { randomUUID } from 'node:crypto';
import { LIFECYCLE, type LifecycleRule, type OrderStatus, type Party } from '@quickeats/domain';
import type { ClientOrder, DemoParty, ScenarioContext, Session } from './types';

export type Sessions = Record<DemoParty, Session>;

export async function loginAll(ctx: ScenarioContext): Promise<Sessions> {
  const parties: DemoParty[] = ['customer', 'owner', 'rider', 'admin'];
  const sessions = await Promise.all(
    parties.map((p) => ctx.adapter.login(ctx.http, p, ctx.world.accounts[p])),
  );
  return Object.fromEntries(parties.map((p, i) => [p, sessions[i]!])) as Sessions;
}

export const PARTY_OF: Record<Party, DemoParty> = {
  'order-customer': 'customer',
  'restaurant-owner': 'owner',
  'any-rider': 'rider',
  'order-rider': 'rider',
  admin: 'admin',
};

/** The shortest sequence of lifecycle rules from `pending` to `target` (breadth-first over the table). */
export function pathTo(target: OrderStatus): LifecycleRule[] {
  const paths = new Map<OrderStatus, LifecycleRule[]>([['pending', []]]);
  const queue: OrderStatus[] = ['pending'];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    if (state === target) return paths.get(state)!;
    for (const rule of LIFECYCLE) {
      if (!rule.from.includes(state) || paths.has(rule.to)) continue;
      paths.set(rule.to, [...paths.get(state)!, rule]);
      queue.push(rule.to);
    }
  }
  throw new Error(`no lifecycle path from pending to ${target}`);
}

function setupFailed(step: string, detail: unknown): Error {
  return new Error(`scenario set-up failed at ${step}: ${JSON.stringify(detail)}`);
}

/** A fresh order of the demo customer at the demo owner's restaurant, brought to `status`. */
export async function prepareOrder(
  ctx: ScenarioContext,
  sessions: Sessions,
  status: OrderStatus,
): Promise<ClientOrder> {
  const { adapter, http, world } = ctx;
  let order = await adapter.createOrder(http, sessions.customer, {
    restaurantId: world.restaurantId,
    items: [{ menuItemId: world.menuItemId, quantity: 2 }],
  });
  for (const rule of pathTo(status)) {
    const session = sessions[PARTY_OF[rule.party]];
    const result =
      rule.action === 'pay'
        ? await adapter.pay(http, session, order, { key: randomUUID() })
        : await adapter.changeState(http, session, order, rule.action);
    if (!result.order) throw setupFailed(`${rule.action} (${order.status})`, result.http);
    order = result.order;
  }
  if (order.status !== status) throw setupFailed(`reaching ${status}`, order);
  return order;
}
