/** The tRPC router: one sub-router per concept. `AppRouter` is what the SDK's typed client imports. */

import { ordersRouter } from './routers/orders';
import { restaurantsRouter } from './routers/restaurants';
import { webhooksRouter } from './routers/webhooks';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  orders: ordersRouter,
  restaurants: restaurantsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
