/**
 * `restaurants.*`: the catalogue every signed-in role may browse — `list` (by name, cursor
 * pages) and `get` (one restaurant with its menu). Same read layer as `GET /api/v2/restaurants`.
 */
import {
  DomainError,
  IdSchema,
  RestaurantListInputSchema,
  RestaurantPageSchema,
  RestaurantWithMenuSchema,
} from '@quickeats/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { nestRestaurants } from '../../reads/nested';
import { listRestaurants, readRestaurant } from '../../reads/restaurant-reads';
import { protectedProcedure } from '../trpc';

export const restaurantsRouter = {
  list: protectedProcedure
    .input(RestaurantListInputSchema)
    .output(RestaurantPageSchema)
    .query(async ({ ctx, input }) => {
      const result = await listRestaurants(
        ctx.deps.db,
        { size: input.pageSize, after: input.cursor },
        { size: 'pageSize', after: 'cursor' },
      );
      return {
        items: result.restaurants.map((r) => ({ id: r.id, name: r.name!, currency: r.currency! })),
        nextCursor: result.nextCursor,
      };
    }),
  get: protectedProcedure
    .input(z.strictObject({ restaurantId: IdSchema }))
    .output(RestaurantWithMenuSchema)
    .query(async ({ ctx, input }) => {
      const result = await readRestaurant(ctx.deps.db, input.restaurantId, { include: ['menuItems'] });
      const [restaurant] = result ? nestRestaurants(result) : [];
      if (!restaurant) throw new DomainError('NOT_FOUND', 'Restaurant not found');
      return restaurant;
    }),
} satisfies TRPCRouterRecord;
