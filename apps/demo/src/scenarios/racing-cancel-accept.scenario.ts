/**
 * Problem 3 — lost updates. A paid order; the customer's cancel and the restaurant's accept, both
 * made from the same view of the order, are sent at the same time (with a URL target: two real
 * connections). Mutually exclusive changes cannot both take effect, so if both are answered with
 * success one of them was silently lost. v1 loses one; v2 must let exactly one win (412/409 for the
 * other). The audit log, where exposed, shows whether both writers read the same state.
 */
import { LIFECYCLE, type OrderAction, type OrderStatus } from '@quickeats/domain';
import { isSuccess } from './http-target';
import { loginAll, prepareOrder } from './prepare-order';
import type { HttpExchange, ObservedEvent, ScenarioContext } from './types';

const RACERS = [
  { action: 'cancel', party: 'customer' },
  { action: 'accept', party: 'owner' },
] as const;

function targetOf(action: OrderAction, from: OrderStatus): OrderStatus | undefined {
  return LIFECYCLE.find((r) => r.action === action && r.from.includes(from))?.to;
}

export interface RacingCancelAcceptOutcome {
  scenario: 'racing-cancel-accept';
  surface: string;
  orderId: string;
  start: { status: OrderStatus; version: number };
  responses: Record<'cancel' | 'accept', HttpExchange>;
  /** Actions answered with 2xx. */
  succeeded: OrderAction[];
  final: { status: OrderStatus; version: number; paymentStatus: string | null };
  /** More than one mutually exclusive change was reported successful: all but one were lost. */
  lostUpdate: boolean;
  /** The successful action whose effect is not in the final state. */
  lostAction: OrderAction | null;
  /**
   * Both writers read the same state before writing (audit events after `start` whose `from` is the
   * start status); null when the surface exposes no audit log.
   */
  interleaved: boolean | null;
  events: ObservedEvent[] | null;
  evidence: string[];
}

export async function racingCancelAcceptScenario(ctx: ScenarioContext): Promise<RacingCancelAcceptOutcome> {
  const sessions = await loginAll(ctx);
  const prepared = await prepareOrder(ctx, sessions, 'paid');
  // Each party's app holds its own view of the paid order before acting on it.
  const views = await Promise.all(
    RACERS.map((r) => ctx.adapter.readOrder(ctx.http, sessions[r.party], prepared.id)),
  );
  const start = { status: prepared.status, version: prepared.version };
  const results = await Promise.all(
    RACERS.map((r, i) => ctx.adapter.changeState(ctx.http, sessions[r.party], views[i]!.client, r.action)),
  );
  const after = await ctx.adapter.readOrder(ctx.http, sessions.admin, prepared.id);

  const succeeded = RACERS.filter((_, i) => isSuccess(results[i]!.http.status)).map((r) => r.action);
  const lostUpdate = succeeded.length > 1;
  const lostAction = lostUpdate
    ? (succeeded.find((a) => targetOf(a, start.status) !== after.client.status) ?? null)
    : null;
  const later = after.events?.filter((e) => e.version > start.version) ?? null;
  const interleaved = later ? later.filter((e) => e.from === start.status).length > 1 : null;
  return {
    scenario: 'racing-cancel-accept',
    surface: ctx.adapter.surface,
    orderId: prepared.id,
    start,
    responses: { cancel: results[0]!.http, accept: results[1]!.http },
    succeeded,
    final: {
      status: after.client.status,
      version: after.client.version,
      paymentStatus: after.payment?.status ?? null,
    },
    lostUpdate,
    lostAction,
    interleaved,
    events: later,
    evidence: [
      `start: ${start.status} at version ${start.version}`,
      ...RACERS.map(
        (r, i) =>
          `${r.party} ${r.action}: ${results[i]!.http.method} ${results[i]!.http.path} → ${results[i]!.http.status}`,
      ),
      `final: ${after.client.status} at version ${after.client.version}` +
        (after.payment ? `, payment ${after.payment.status}` : ''),
      ...(later ?? []).map((e) => `audit v${e.version}: ${e.action} ${e.from ?? '∅'} → ${e.to}`),
      lostUpdate ? `lost update: ${lostAction ?? '?'} was answered 2xx but has no effect` : 'no lost update',
    ],
  };
}
