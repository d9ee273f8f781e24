/**
 * `orders.list`: the same one-statement read as `GET /api/v2/orders`, returned as typed nested
 * objects. `include` adds related objects (items are always there: they are part of an order);
 * `pageSize` above the maximum is PAGE_SIZE_TOO_LARGE and a bad `cursor` INVALID_CURSOR, the same
 * stable codes as REST.
 */
import { OrderListInputSchema, OrderPageSchema } from '@quickeats/domain';
import { nestOrders } from '../../reads/nested';
import { listOrders, withIntermediates } from '../../reads/order-reads';
import { replicaRead } from '../../reads/replica-reads';
import { protectedProcedure } from '../trpc';

export const listOrdersProcedure = protectedProcedure
  .input(OrderListInputSchema)
  .output(OrderPageSchema)
  .query(async ({ ctx, input }) => {
    const include = withIntermediates([...input.include, 'items']);
    const result = await replicaRead(ctx.deps, (db) =>
      listOrders(
        db,
        ctx.actor,
        {
          include,
          filter: {
            status: input.filter.status,
            restaurantIds: input.filter.restaurantId,
            createdAfter: input.filter.createdAfter,
            createdBefore: input.filter.createdBefore,
          },
          size: input.pageSize,
          after: input.cursor,
        },
        { size: 'pageSize', after: 'cursor' },
      ),
    );
    return { items: nestOrders(result, include), nextCursor: result.nextCursor };
  });
