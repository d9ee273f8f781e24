/**
 * Problem 1 — ambiguous state changes. Bring an order to a state from which the lifecycle table
 * forbids an action (default: the customer cancelling a delivered order), attempt it, and report
 * whether the surface accepted it and what the order became. v1 accepts (and refunds the meal);
 * v2 must answer 409 with the allowed actions and leave the order as it was.
 */
import { LIFECYCLE, type OrderAction, type OrderStatus } from '@quickeats/domain';
import { isSuccess } from './http-target';
import { loginAll, PARTY_OF, prepareOrder } from './prepare-order';
import type { DemoParty, HttpExchange, ScenarioContext } from './types';

export interface InvalidTransitionOptions {
  from?: OrderStatus;
  action?: Exclude<OrderAction, 'pay'>;
  as?: DemoParty;
}

export interface InvalidTransitionOutcome {
  scenario: 'invalid-transition';
  surface: string;
  orderId: string;
  from: OrderStatus;
  action: OrderAction;
  as: DemoParty;
  /** What the lifecycle table says about this (action, state, party). */
  lifecycleAllows: boolean;
  response: HttpExchange;
  final: { status: OrderStatus; version: number; paymentStatus: string | null };
  /** The table forbids it, yet the surface answered 2xx and the order changed state: problem 1. */
  invalidTransitionAccepted: boolean;
  /** Refunds the provider made for this order (null without a ledger). */
  providerRefunds: number | null;
  evidence: string[];
}

export async function invalidTransitionScenario(
  ctx: ScenarioContext,
  options: InvalidTransitionOptions = {},
): Promise<InvalidTransitionOutcome> {
  const { from = 'delivered', action = 'cancel', as = 'customer' } = options;
  const sessions = await loginAll(ctx);
  const prepared = await prepareOrder(ctx, sessions, from);
  // The actor's app shows the order (and so holds its own view of it) before acting.
  const seen = await ctx.adapter.readOrder(ctx.http, sessions[as], prepared.id);
  const result = await ctx.adapter.changeState(ctx.http, sessions[as], seen.client, action);
  const after = await ctx.adapter.readOrder(ctx.http, sessions.admin, prepared.id);
  const refunds = ctx.ledger ? await ctx.ledger.refundsFor(prepared.id) : null;

  const lifecycleAllows = LIFECYCLE.some(
    (r) => r.action === action && r.from.includes(from) && PARTY_OF[r.party] === as,
  );
  const accepted = isSuccess(result.http.status);
  const invalidTransitionAccepted = !lifecycleAllows && accepted && after.client.status !== from;
  return {
    scenario: 'invalid-transition',
    surface: ctx.adapter.surface,
    orderId: prepared.id,
    from,
    action,
    as,
    lifecycleAllows,
    response: result.http,
    final: {
      status: after.client.status,
      version: after.client.version,
      paymentStatus: after.payment?.status ?? null,
    },
    invalidTransitionAccepted,
    providerRefunds: refunds?.length ?? null,
    evidence: [
      `${as} asks to ${action} a ${from} order: ${result.http.method} ${result.http.path} → ${result.http.status}`,
      `the lifecycle table ${lifecycleAllows ? 'allows' : 'forbids'} it`,
      `the order is now ${after.client.status} at version ${after.client.version}` +
        (after.payment ? `, payment ${after.payment.status}` : ''),
      ...(refunds ? [`the provider made ${refunds.length} refund(s) for it`] : []),
    ],
  };
}
