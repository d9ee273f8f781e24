/**
 * What the SDK hands its callers: plain objects, the same whichever transport fetched them. An
 * `Order` is the API's order (status, version, total, items, the actions the caller may take now);
 * the REST client flattens JSON:API documents into it, the tRPC client receives it as is.
 */

import type { EventsApi } from './events';
import type {
  CreateOrderInput,
  Money,
  Order,
  OrderAction,
  OrderStatus,
  Role,
} from './public/types.generated';

export type { CreateOrderInput, Money, Order, OrderAction, OrderStatus, Role };

export interface Restaurant {
  id: string;
  name: string;
  currency: string;
}

export interface MenuItem {
  id: string;
  restaurantId: string;
  name: string;
  price: Money;
  available: boolean;
}

export interface RestaurantWithMenu extends Restaurant {
  menuItems: MenuItem[];
}

/** One page of a list; pass `nextCursor` as `cursor` to get the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListOrdersQuery {
  /** Only orders in any of these statuses. */
  status?: OrderStatus | OrderStatus[];
  /** 1–100 (default 20). */
  pageSize?: number;
  cursor?: string;
}

export interface ListRestaurantsQuery {
  pageSize?: number;
  cursor?: string;
}

/**
 * The order an action applies to: a representation the caller holds (an `Order`, or just its id
 * and version), or an id — then the version of the last representation this client received is used.
 */
export type OrderRef = string | { id: string; version: number };

export interface CallOptions {
  signal?: AbortSignal;
}

export interface IdempotentCallOptions extends CallOptions {
  /**
   * The key of this logical operation. Default: a fresh one per call, reused by every retry of it.
   * Pass your own to make an operation idempotent across processes (store it before the first try).
   */
  idempotencyKey?: string;
}

export interface ActionOptions extends IdempotentCallOptions {
  /** Kept in the audit log (reject, cancel). */
  reason?: string;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; role: Role; email: string };
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The surface both clients implement, so an app can switch transports without changing code. */
export interface QuickEatsClient {
  readonly transport: 'rest' | 'trpc';
  /** Exchange demo or partner credentials for a token; later calls send it. */
  login(email: string, password: string): Promise<TokenResponse>;
  /** Forget the token. */
  logout(): void;
  me(options?: CallOptions): Promise<Me>;
  orders: {
    create(input: CreateOrderInput, options?: IdempotentCallOptions): Promise<Order>;
    get(id: string, options?: CallOptions): Promise<Order>;
    list(query?: ListOrdersQuery, options?: CallOptions): Promise<Page<Order>>;
    /** Perform a lifecycle action on the version the caller holds (If-Match / expectedVersion). */
    act(action: OrderAction, order: OrderRef, options?: ActionOptions): Promise<Order>;
    pay(order: OrderRef, options?: ActionOptions): Promise<Order>;
    accept(order: OrderRef, options?: ActionOptions): Promise<Order>;
    reject(order: OrderRef, options?: ActionOptions): Promise<Order>;
    markReady(order: OrderRef, options?: ActionOptions): Promise<Order>;
    pickUp(order: OrderRef, options?: ActionOptions): Promise<Order>;
    deliver(order: OrderRef, options?: ActionOptions): Promise<Order>;
    cancel(order: OrderRef, options?: ActionOptions): Promise<Order>;
  };
  restaurants: {
    list(query?: ListRestaurantsQuery, options?: CallOptions): Promise<Page<Restaurant>>;
    get(id: string, options?: CallOptions): Promise<RestaurantWithMenu>;
  };
  /** The version of each order this client last received (what id-only `OrderRef`s act on). */
  readonly versions: VersionTracker;
  /** Live order events (SSE / tRPC subscription), resumed without loss across reconnects. */
  readonly events: EventsApi;
}

export interface VersionTracker {
  /** The version of the newest representation of `orderId` this client received, if any. */
  get(orderId: string): number | undefined;
  /** Record a representation (the client does this for every order it receives). */
  remember(order: { id: string; version: number }): void;
  forget(orderId: string): void;
}
