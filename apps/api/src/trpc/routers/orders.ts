/**
 * `orders.*` procedures: the same zod schemas and the same service calls as the REST routes.
 * State changes take `expectedVersion` (mismatch → PRECONDITION_FAILED), one procedure per action,
 * named in camelCase after the action (`mark-ready` ⇄ `markReady`). Every mutation takes an
 * `idempotencyKey` (required on create and pay, as the REST header is), handled by `idempotentMutation`.
 */
import {
  CreateOrderInputSchema,
  DomainError,
  EventPositionSchema,
  IdempotencyKeySchema,
  IdSchema,
  ORDER_ACTIONS,
  type OrderAction,
  OrderActionBodySchema,
  OrderSchema,
  requiresIdempotencyKey,
  VersionSchema,
} from '@quickeats/domain';
import { type TRPCRouterRecord, tracked } from '@trpc/server';
import { z } from 'zod';
import { followOrderEvents } from '../../services/order-events.service';
import { snapshotAlong, snapshotFromAlong } from '../../services/order-store';
import { createOrder, getOrder, performAction, writesInOneStatement } from '../../services/orders.service';
import { idempotentMutation } from '../idempotency';
import { domainTrpcError, protectedProcedure } from '../trpc';
import { listOrdersProcedure } from './order-list';

const RequiredKey = { idempotencyKey: IdempotencyKeySchema };
const OptionalKey = { idempotencyKey: IdempotencyKeySchema.optional() };

/**
 * Required in the input TYPE, so a typed client that forgets it does not compile, but optional when
 * parsed, so an untyped caller that forgets it gets PRECONDITION_REQUIRED (REST's 428), not a
 * generic 400. The output type keeps `undefined`, so the procedure must (and does) check it.
 */
function requiredInTypeOnly<T extends z.ZodType>(schema: T) {
  return schema.optional() as unknown as z.ZodType<z.output<T> | undefined, z.input<T>> & {
    _zod: { optin: undefined; optout: undefined };
  };
}

export const ActionInputSchema = OrderActionBodySchema.extend({
  orderId: IdSchema,
  expectedVersion: requiredInTypeOnly(
    VersionSchema.describe('Required: the version the caller acts on (REST: If-Match)'),
  ),
  ...OptionalKey,
});
/** For actions that require the key (`requiresIdempotencyKey`: those that charge). */
export const KeyedActionInputSchema = ActionInputSchema.extend(RequiredKey);

/** `create` requires the key (`requiresIdempotencyKey('create')`). */
export const CreateOrderProcedureInputSchema = CreateOrderInputSchema.extend(RequiredKey);

/**
 * The actions whose procedure input requires `idempotencyKey` in its type, so the typed client
 * cannot forget it. Types cannot read the lifecycle table; the router test pins this list to
 * `requiresIdempotencyKey`, and `actionProcedure` checks it when the router is built.
 */
const KEYED_ACTIONS = ['pay'] as const satisfies readonly OrderAction[];
type KeyedAction = (typeof KEYED_ACTIONS)[number];

/** `mark-ready` → `markReady`. */
export function procedureName<A extends OrderAction>(action: A) {
  return action.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()) as CamelCase<A>;
}
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

const actionProcedureWith = <S extends typeof ActionInputSchema | typeof KeyedActionInputSchema>(
  action: OrderAction,
  schema: S,
) => {
  const required = schema === KeyedActionInputSchema;
  if (required !== requiresIdempotencyKey(action)) {
    throw new Error(`KEYED_ACTIONS disagrees with requiresIdempotencyKey('${action}')`);
  }
  return protectedProcedure
    .use(
      idempotentMutation({
        required,
        claimedByWrite: (input, actor) =>
          typeof input.expectedVersion === 'number' &&
          writesInOneStatement(action, actor, { kind: 'versions', versions: [input.expectedVersion] }),
        // A leased key's action reads its order first: that read rides on the lease's statement.
        readAlong: ({ orderId }) => snapshotAlong(orderId),
      }),
    )
    .input(schema)
    .output(OrderSchema)
    .mutation(({ ctx, input }) =>
      ctx.idempotency.run((onCommit, along) => {
        if (input.expectedVersion === undefined) {
          throw new DomainError(
            'PRECONDITION_REQUIRED',
            'Send expectedVersion: the version of the order you are acting on',
          );
        }
        return performAction(
          ctx.deps,
          ctx.actor,
          {
            orderId: input.orderId,
            action,
            ifMatch: { kind: 'versions', versions: [input.expectedVersion] },
            reason: input.reason,
          },
          { onCommit, snapshot: snapshotFromAlong(along) },
        );
      }),
    );
};
const keyedActionProcedure = (action: OrderAction) => actionProcedureWith(action, KeyedActionInputSchema);
const actionProcedure = (action: OrderAction) => actionProcedureWith(action, ActionInputSchema);
const isKeyed = (action: OrderAction): action is KeyedAction =>
  (KEYED_ACTIONS as readonly OrderAction[]).includes(action);

type ActionProcedures = {
  [A in OrderAction as CamelCase<A>]: A extends KeyedAction
    ? ReturnType<typeof keyedActionProcedure>
    : ReturnType<typeof actionProcedure>;
};
const actionProcedures = Object.fromEntries(
  ORDER_ACTIONS.map((a) => [procedureName(a), isKeyed(a) ? keyedActionProcedure(a) : actionProcedure(a)]),
) as ActionProcedures;

export const ordersRouter = {
  list: listOrdersProcedure,
  create: protectedProcedure
    // A create's whole effect is its one insert statement: where the store allows, it claims the key.
    .use(
      idempotentMutation({
        required: requiresIdempotencyKey('create'),
        claimedByWrite: (_input, _actor, store) => store.claimsCreatesInWrite,
      }),
    )
    .input(CreateOrderProcedureInputSchema)
    .output(OrderSchema)
    .mutation(({ ctx, input: { idempotencyKey: _key, ...order } }) =>
      ctx.idempotency.run((onCommit) => createOrder(ctx.deps, ctx.actor, order, { onCommit })),
    ),
  get: protectedProcedure
    .input(z.strictObject({ orderId: IdSchema }))
    .output(OrderSchema)
    .query(({ ctx, input }) => getOrder(ctx.deps, ctx.actor, input.orderId)),
  ...actionProcedures,
  /**
   * Order events as they commit (over SSE with httpSubscriptionLink): the same events, scoping and
   * resume as `GET /api/v2/event-stream`. Each is `tracked(position)`, so a reconnecting client sends
   * the last one back as `lastEventId` and resumes right after it.
   */
  onEvent: protectedProcedure
    .input(
      z.strictObject({
        orderId: IdSchema.optional(),
        lastEventId: EventPositionSchema.nullish().describe('Resume after this position'),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      // Thrown while the stream runs, so past the middleware that maps domain errors: mapped here
      // (else a 404 would arrive as an internal error, which the client retries forever, and a
      // shutdown's 503 — which it must retry, elsewhere, from the last tracked id — as something else).
      try {
        const events = await followOrderEvents(ctx.deps, ctx.actor, {
          orderId: input.orderId,
          lastEventId: input.lastEventId,
          signal,
          tokenVersion: ctx.tokenVersion,
        });
        for await (const event of events) yield tracked(event.position, event);
      } catch (err) {
        throw err instanceof DomainError ? domainTrpcError(err) : err;
      }
    }),
} satisfies TRPCRouterRecord;
