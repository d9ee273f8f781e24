/**
 * The order actions as client methods: `mark-ready` (the REST path segment) is `markReady` (the
 * tRPC procedure and the SDK method), derived from the lifecycle table like every other surface.
 */
import { ORDER_ACTIONS } from '@quickeats/domain';
import type { OrderAction } from './public/types.generated';
import type { ActionOptions, Order, OrderRef } from './types';

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

export type ActionMethod = CamelCase<OrderAction>;
export type ActionFn = (order: OrderRef, options?: ActionOptions) => Promise<Order>;

/** `mark-ready` → `markReady`. */
export function actionMethod<A extends OrderAction>(action: A): CamelCase<A> {
  return action.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as CamelCase<A>;
}

/** One method per action, each calling `act` with its action. */
export function actionMethods(
  act: (action: OrderAction, order: OrderRef, options?: ActionOptions) => Promise<Order>,
): Record<ActionMethod, ActionFn> {
  return Object.fromEntries(
    ORDER_ACTIONS.map((a) => [
      actionMethod(a),
      (order: OrderRef, options?: ActionOptions) => act(a, order, options),
    ]),
  ) as Record<ActionMethod, ActionFn>;
}
