/**
 * The read-only GraphQL schema (SPEC "GraphQL"): orders, restaurants, order items, menu items,
 * customers and riders. Root lists run the same one-statement page query as REST (visibility in
 * SQL); every nested field goes through a per-request DataLoader, so a query costs one statement
 * per nesting level, not per row. The graph has no cycles (nothing links back to orders), so a
 * query's depth — and its statement count — is bounded by the schema itself.
 */
import {
  type Actor,
  DomainError,
  findUnstorableText,
  MAX_PAGE_SIZE,
  ORDER_STATUSES,
  type OrderItem,
  type OrderStatus,
  type Restaurant,
  unstorableTextError,
} from '@quickeats/domain';
import { createSchema } from 'graphql-yoga';
import type { AppDeps } from '../context';
import type { Logger } from '../logger';
import { type Fieldsets, ORDER_ATTRIBUTES, ORDER_TO_ONE } from '../reads/fieldsets';
import { listOrders, type ReadOrder, readOrder } from '../reads/order-reads';
import { listRestaurants, readRestaurant } from '../reads/restaurant-reads';
import type { Loaders } from './loaders';

/** What the HTTP layer hands to yoga for each request: the actor is authenticated before yoga runs. */
export interface ServerContext {
  deps: AppDeps;
  /** Absent only for the GraphiQL page, which executes nothing. */
  actor: Actor | undefined;
  log: Logger;
  /** Names the request in metrics and traces after the operation (`graphql query OrderById`). */
  nameOperation?: ((type: string, name: string | undefined) => void) | undefined;
}

/** What resolvers see: the server context with an actor, plus this request's loaders. */
export interface GraphQLContext extends ServerContext {
  actor: Actor;
  loaders: Loaders;
}

const typeDefs = /* GraphQL */ `
  "Order lifecycle states."
  enum OrderStatus { ${ORDER_STATUSES.join(' ')} }
  enum Role { customer restaurant rider admin }

  "Integer minor units plus an ISO 4217 currency."
  type Money { amount: Int!, currency: String! }

  type User { id: ID!, name: String!, role: Role! }

  type MenuItem { id: ID!, name: String!, price: Money!, available: Boolean! }

  type Restaurant { id: ID!, name: String!, currency: String!, menuItems: [MenuItem!]! }

  type OrderItem { id: ID!, name: String!, quantity: Int!, unitPrice: Money!, menuItem: MenuItem! }

  type Payment { id: ID!, status: String!, amount: Money!, createdAt: String!, refundedAt: String }

  type OrderEvent {
    id: ID!
    action: String!
    fromStatus: OrderStatus
    toStatus: OrderStatus!
    actorRole: Role
    version: Int!
    reason: String
    createdAt: String!
  }

  type Order {
    id: ID!
    status: OrderStatus!
    version: Int!
    total: Money!
    note: String
    "Actions the caller may take now (lifecycle action names, e.g. mark-ready)."
    allowedActions: [String!]!
    createdAt: String!
    updatedAt: String!
    restaurant: Restaurant!
    customer: User!
    rider: User
    items: [OrderItem!]!
    payment: Payment
    events: [OrderEvent!]!
  }

  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type OrderConnection { nodes: [Order!]!, pageInfo: PageInfo! }
  type RestaurantConnection { nodes: [Restaurant!]!, pageInfo: PageInfo! }

  input OrderFilter {
    status: [OrderStatus!]
    restaurantId: [ID!]
    "created_at ≥ this ISO 8601 instant"
    createdAfter: String
    "created_at < this ISO 8601 instant"
    createdBefore: String
  }

  type Query {
    "Orders the caller may see, newest first (at most ${MAX_PAGE_SIZE} per page)."
    orders(first: Int = 20, after: String, filter: OrderFilter): OrderConnection!
    order(id: ID!): Order
    restaurants(first: Int = 20, after: String): RestaurantConnection!
    restaurant(id: ID!): Restaurant
  }
`;

/** Root reads need only the order's own columns and to-one ids; nested fields come from loaders. */
const ORDER_ROOT_FIELDS: Fieldsets = { orders: new Set([...ORDER_ATTRIBUTES, ...ORDER_TO_ONE]) };
const RESTAURANT_ROOT_FIELDS: Fieldsets = { restaurants: new Set(['name', 'currency']) };
const PAGE_PARAMS = { size: 'first', after: 'after' };

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

interface OrderFilterArg {
  status?: OrderStatus[] | null;
  restaurantId?: string[] | null;
  createdAfter?: string | null;
  createdBefore?: string | null;
}

function orderFilter(filter: OrderFilterArg | null | undefined) {
  const instant = (value: string | null | undefined, field: string) => {
    if (value == null) return undefined;
    if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
      throw new DomainError('VALIDATION_FAILED', `filter.${field} must be an ISO 8601 date-time`);
    return value;
  };
  const restaurantIds = filter?.restaurantId ?? undefined;
  if (restaurantIds?.some((id) => !isUuid(id)))
    throw new DomainError('VALIDATION_FAILED', 'filter.restaurantId must hold restaurant ids');
  return {
    status: filter?.status ?? undefined,
    restaurantIds,
    createdAfter: instant(filter?.createdAfter, 'createdAfter'),
    createdBefore: instant(filter?.createdBefore, 'createdBefore'),
  };
}

/**
 * Root arguments are checked for text PostgreSQL cannot store before a resolver reads them (a
 * `VALIDATION_FAILED` naming `args.<field>`, not a database error). Nested fields take no arguments.
 */
function checked<A extends object, R>(
  resolve: (parent: unknown, args: A, ctx: GraphQLContext) => R,
): (parent: unknown, args: A, ctx: GraphQLContext) => R {
  return (parent, args, ctx) => {
    const field = findUnstorableText(args, 'args');
    if (field !== null) throw unstorableTextError(field);
    return resolve(parent, args, ctx);
  };
}

export const schema = createSchema<GraphQLContext>({
  typeDefs,
  resolvers: {
    Query: {
      orders: checked(
        async (
          _: unknown,
          args: { first: number; after?: string | null; filter?: OrderFilterArg | null },
          ctx: GraphQLContext,
        ) => {
          const result = await listOrders(
            ctx.deps.db,
            ctx.actor,
            {
              fields: ORDER_ROOT_FIELDS,
              filter: orderFilter(args.filter),
              size: args.first,
              after: args.after ?? undefined,
            },
            PAGE_PARAMS,
          );
          return {
            nodes: result.orders,
            pageInfo: {
              hasNextPage: result.nextCursor !== null,
              endCursor: result.orders.at(-1)?.cursor ?? null,
            },
          };
        },
      ),
      order: checked(async (_: unknown, args: { id: string }, ctx: GraphQLContext) => {
        if (!isUuid(args.id)) return null;
        const result = await readOrder(ctx.deps.db, ctx.actor, args.id, { fields: ORDER_ROOT_FIELDS });
        return result?.orders[0] ?? null;
      }),
      restaurants: checked(
        async (_: unknown, args: { first: number; after?: string | null }, ctx: GraphQLContext) => {
          const result = await listRestaurants(
            ctx.deps.db,
            { fields: RESTAURANT_ROOT_FIELDS, size: args.first, after: args.after ?? undefined },
            PAGE_PARAMS,
          );
          return {
            nodes: result.restaurants,
            pageInfo: {
              hasNextPage: result.nextCursor !== null,
              endCursor: result.restaurants.at(-1)?.cursor ?? null,
            },
          };
        },
      ),
      restaurant: checked(async (_: unknown, args: { id: string }, ctx: GraphQLContext) => {
        if (!isUuid(args.id)) return null;
        const result = await readRestaurant(ctx.deps.db, args.id, { fields: RESTAURANT_ROOT_FIELDS });
        return result?.restaurants[0] ?? null;
      }),
    },
    Order: {
      allowedActions: (o: ReadOrder) => o.allowedActions ?? [],
      restaurant: (o: ReadOrder, _: unknown, ctx: GraphQLContext) =>
        ctx.loaders.restaurant.load(o.restaurantId!),
      customer: (o: ReadOrder, _: unknown, ctx: GraphQLContext) => ctx.loaders.user.load(o.customerId!),
      rider: (o: ReadOrder, _: unknown, ctx: GraphQLContext) =>
        o.riderId ? ctx.loaders.user.load(o.riderId) : null,
      items: (o: ReadOrder, _: unknown, ctx: GraphQLContext) => ctx.loaders.itemsByOrder.load(o.id),
      payment: (o: ReadOrder, _: unknown, ctx: GraphQLContext) => ctx.loaders.paymentByOrder.load(o.id),
      events: (o: ReadOrder, _: unknown, ctx: GraphQLContext) => ctx.loaders.eventsByOrder.load(o.id),
    },
    OrderItem: {
      menuItem: (i: OrderItem, _: unknown, ctx: GraphQLContext) => ctx.loaders.menuItem.load(i.menuItemId),
    },
    Restaurant: {
      menuItems: (r: Restaurant, _: unknown, ctx: GraphQLContext) => ctx.loaders.menuByRestaurant.load(r.id),
    },
  },
});
