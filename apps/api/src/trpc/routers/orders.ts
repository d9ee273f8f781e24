/**
 * `orders.*` procedures: the same zod schemas and the same service calls as the REST routes.
 * State changes take `expectedVersion` (mismatch → PRECONDITION_FAILED), one procedure per action,
 * named in camelCase after the action (`mark-ready` ⇄ `markReady`).
 */
import {
  CreateOrderInputSchema,
  DomainError,
  IdSchema,
  ORDER_ACTIONS,
  type OrderAction,
  OrderActionBodySchema,
  OrderSchema,
  VersionSchema,
} from '@quickeats/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { createOrder, getOrder, performAction } from '../../services/orders.service';
import { protectedProcedure } from '../trpc';
import { listOrdersProcedure } from './order-list';

export const ActionInputSchema = OrderActionBodySchema.extend({
  orderId: IdSchema,
  // Optional in the schema so a missing version is PRECONDITION_REQUIRED (REST's 428), not a generic 400.
  expectedVersion: VersionSchema.optional().describe(
    'Required: the version the caller acts on (REST: If-Match)',
  ),
});

/** `mark-ready` → `markReady`. */
export function procedureName<A extends OrderAction>(action: A) {
  return action.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()) as CamelCase<A>;
}
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

const actionProcedure = (action: OrderAction) =>
  protectedProcedure
    .input(ActionInputSchema)
    .output(OrderSchema)
    .mutation(({ ctx, input }) => {
      if (input.expectedVersion === undefined) {
        throw new DomainError(
          'PRECONDITION_REQUIRED',
          'Send expectedVersion: the version of the order you are acting on',
        );
      }
      return performAction(ctx.deps, ctx.actor, {
        orderId: input.orderId,
        action,
        ifMatch: { kind: 'versions', versions: [input.expectedVersion] },
        reason: input.reason,
      });
    });

type ActionProcedures = { [A in OrderAction as CamelCase<A>]: ReturnType<typeof actionProcedure> };
const actionProcedures = Object.fromEntries(
  ORDER_ACTIONS.map((a) => [procedureName(a), actionProcedure(a)]),
) as ActionProcedures;

export const ordersRouter = {
  list: listOrdersProcedure,
  create: protectedProcedure
    .input(CreateOrderInputSchema)
    .output(OrderSchema)
    .mutation(({ ctx, input }) => createOrder(ctx.deps, ctx.actor, input)),
  get: protectedProcedure
    .input(z.strictObject({ orderId: IdSchema }))
    .output(OrderSchema)
    .query(({ ctx, input }) => getOrder(ctx.deps, ctx.actor, input.orderId)),
  ...actionProcedures,
} satisfies TRPCRouterRecord;
