/**
 * The vocabulary shared by the problem scenarios (SPEC "The five problems of v1") and the surfaces
 * they run against. A scenario is surface-agnostic: it speaks in lifecycle actions and client
 * intents, and a `SurfaceAdapter` translates those into one surface's HTTP (v1's `PUT {status}`
 * today; v2's `POST /:id/<action>` with `If-Match` and `Idempotency-Key` later). Scenarios return
 * plain data — status codes, provider charges, statement counts, evidence — and never assert: tests
 * assert on outcomes, the demo prints them side by side.
 */
import type { Credentials, DemoParty, DemoWorld } from '@quickeats/db';
import type { OrderAction, OrderStatus } from '@quickeats/domain';

/** Where requests go: a path (`/api/v1/orders`) plus fetch options in, a `Response` out. */
export interface HttpTarget {
  /** For reports: `http://127.0.0.1:3000`, `in-process app`. */
  readonly description: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** The fixed facts a scenario needs about the data it runs on (the seed's demo world). */
export type ScenarioWorld = DemoWorld;
export type { Credentials, DemoParty };

export interface Session {
  party: DemoParty;
  token: string;
}

/**
 * An order as a client last saw it. Adapters put here whatever their surface needs to make a
 * conditional request later (v2: the ETag for `If-Match`); scenarios only pass it back.
 */
export interface ClientOrder {
  id: string;
  status: OrderStatus;
  version: number;
  etag?: string;
}

/**
 * Why a payment is attempted. A client retrying after a network failure repeats the *same* intent;
 * an adapter whose surface supports it sends `key` as the `Idempotency-Key`, v1 cannot.
 */
export interface PaymentIntent {
  key: string;
}

/** One request and its answer, as evidence. */
export interface HttpExchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** The answer to a state change; `order` is the client's new view when the change was accepted. */
export interface ChangeResult {
  http: HttpExchange;
  order: ClientOrder | null;
}

export interface ObservedEvent {
  action: string;
  from: OrderStatus | null;
  to: OrderStatus;
  version: number;
}

/** An order as the surface reports it, for checking what really happened. */
export interface ObservedOrder {
  client: ClientOrder;
  payment: { status: string; providerReference: string } | null;
  /** The audit log, when the surface exposes it (null otherwise). */
  events: ObservedEvent[] | null;
}

export interface ListResult {
  method: string;
  path: string;
  status: number;
  /** Orders in the answer. */
  returned: number;
  /** `X-SQL-Statements` of the answer (null when the server does not expose it). */
  statements: number | null;
  /** Size of the response body: the over-fetching half of problem 4. */
  bytes: number;
}

export interface OrderDraft {
  restaurantId: string;
  items: { menuItemId: string; quantity: number }[];
}

/**
 * How scenarios drive one API surface. Everything surface-specific — routes, body shapes, headers
 * such as `If-Match` and `Idempotency-Key`, how a statement count is read — lives behind this.
 */
export interface SurfaceAdapter {
  /** For reports: `v1`, `v2-rest`, `v2-trpc`. */
  readonly surface: string;
  login(http: HttpTarget, party: DemoParty, credentials: Credentials): Promise<Session>;
  createOrder(http: HttpTarget, session: Session, draft: OrderDraft): Promise<ClientOrder>;
  readOrder(http: HttpTarget, session: Session, orderId: string): Promise<ObservedOrder>;
  /** Perform a lifecycle action other than `pay` on the order the client last saw. */
  changeState(
    http: HttpTarget,
    session: Session,
    order: ClientOrder,
    action: Exclude<OrderAction, 'pay'>,
  ): Promise<ChangeResult>;
  pay(http: HttpTarget, session: Session, order: ClientOrder, intent: PaymentIntent): Promise<ChangeResult>;
  /** List `n` orders with everything nested (restaurant, customer, rider, items with menu items). */
  listOrders(http: HttpTarget, session: Session, n: number): Promise<ListResult>;
}

/** Each payment-provider charge or refund, as the provider's own ledger records it. */
export interface LedgerCharge {
  id: string;
  idempotencyKey: string;
  amount: number;
  currency: string;
}

/** Read access to the provider's ledger: "exactly one charge" is checked there, not inferred. */
export interface ProviderLedger {
  chargesFor(orderId: string): Promise<LedgerCharge[]>;
  refundsFor(orderId: string): Promise<LedgerCharge[]>;
}

export interface ScenarioContext {
  adapter: SurfaceAdapter;
  http: HttpTarget;
  world: ScenarioWorld;
  /** Needed by the payment scenario; others use it for extra evidence when present. */
  ledger?: ProviderLedger;
}
