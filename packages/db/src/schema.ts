/**
 * Drizzle schema: every entity of SPEC "Domain". Constraints are the last guard behind the
 * domain rules: status/role/action checks derived from the domain's lists, non-negative money,
 * `orders.version` for optimistic concurrency, one event per (order, version) so the audit log can
 * never disagree with the order, one payment per order and per provider key so nothing is charged
 * twice, one idempotency record per (user, route, key).
 */
import { ORDER_ACTIONS, ORDER_STATUSES, ROLES } from '@quickeats/domain';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));
const currencyCheck = (column: string) => sql.raw(`${column} ~ '^[A-Z]{3}$'`);
const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    /**
     * Access tokens carry the version they were issued at (`tv`); one below the current is revoked.
     * The `users_auth_change` trigger (migration 0004_fresh_roles) raises it on every change of role, password
     * or `disabled_at`, so a demotion revokes the old tokens whichever way it is written.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    /** Set while the account is disabled: no sign-in, and its tokens are refused. */
    disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
    /** When `token_version` last rose (set by the trigger): API processes load the recent changes. */
    authChangedAt: timestamp('auth_changed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    check('users_role_check', sql`${t.role} in (${inList(ROLES)})`),
    index('users_auth_changed_at_idx').on(t.authChangedAt).where(sql`${t.authChangedAt} is not null`),
  ],
);

export const restaurants = pgTable(
  'restaurants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('restaurants_owner_id_idx').on(t.ownerId),
    check('restaurants_currency_check', currencyCheck('currency')),
  ],
);

export const menuItems = pgTable(
  'menu_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    restaurantId: uuid('restaurant_id')
      .notNull()
      .references(() => restaurants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull(),
    available: boolean('available').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    index('menu_items_restaurant_id_idx').on(t.restaurantId),
    uniqueIndex('menu_items_restaurant_name_key').on(t.restaurantId, t.name),
    check('menu_items_price_check', sql`${t.priceAmount} >= 0`),
    check('menu_items_currency_check', currencyCheck('currency')),
  ],
);

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    restaurantId: uuid('restaurant_id')
      .notNull()
      .references(() => restaurants.id, { onDelete: 'restrict' }),
    riderId: uuid('rider_id').references(() => users.id, { onDelete: 'restrict' }),
    status: text('status', { enum: ORDER_STATUSES }).notNull().default('pending'),
    /** Optimistic-concurrency version: 1 on create, +1 on every change (SPEC "Optimistic concurrency"). */
    version: integer('version').notNull().default(1),
    totalAmount: integer('total_amount').notNull(),
    currency: text('currency').notNull(),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('orders_status_check', sql`${t.status} in (${inList(ORDER_STATUSES)})`),
    check('orders_version_check', sql`${t.version} >= 1`),
    check('orders_total_check', sql`${t.totalAmount} >= 0`),
    check('orders_currency_check', currencyCheck('currency')),
    // Keyset pagination is (created_at, id) descending within each visibility scope.
    index('orders_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('orders_customer_created_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    index('orders_restaurant_created_idx').on(t.restaurantId, t.createdAt.desc(), t.id.desc()),
    index('orders_rider_created_idx').on(t.riderId, t.createdAt.desc(), t.id.desc()),
    index('orders_status_created_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    menuItemId: uuid('menu_item_id')
      .notNull()
      .references(() => menuItems.id, { onDelete: 'restrict' }),
    /** Name and price are snapshots: later menu edits must not rewrite past orders. */
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceAmount: integer('unit_price_amount').notNull(),
    currency: text('currency').notNull(),
  },
  (t) => [
    index('order_items_order_id_idx').on(t.orderId),
    check('order_items_quantity_check', sql`${t.quantity} between 1 and 99`),
    check('order_items_price_check', sql`${t.unitPriceAmount} >= 0`),
    check('order_items_currency_check', currencyCheck('currency')),
  ],
);

export const PAYMENT_STATUSES = ['succeeded', 'refunded'] as const;

export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'restrict' }),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    /** The provider's charge id. */
    providerReference: text('provider_reference').notNull(),
    /** The idempotency key the charge was made with at the provider. */
    idempotencyKey: text('idempotency_key').notNull(),
    refundReference: text('refund_reference'),
    refundedAt: timestamp('refunded_at', { withTimezone: true, mode: 'date' }),
    /**
     * Demo data: the seed wrote this payment without a provider ever charging it, so its refund is
     * recorded here without asking one (the provider `pnpm start` spawns has never heard of it).
     */
    seeded: boolean('seeded').notNull().default(false),
    /**
     * Refund retries (a payment still `succeeded` on a cancelled/rejected order): how many refund
     * attempts failed, when the next one is due (exponential backoff), what the last one answered,
     * and — once the attempts reach their bound — when the retries stopped: the payment then needs
     * an operator (SPEC "When dependencies fail"), and no process asks the provider again.
     */
    refundAttempts: integer('refund_attempts').notNull().default(0),
    refundNextAttemptAt: timestamp('refund_next_attempt_at', { withTimezone: true, mode: 'date' }),
    refundLastError: text('refund_last_error'),
    refundNeedsAttentionAt: timestamp('refund_needs_attention_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    // An order is charged once: a second successful pay can never be recorded.
    uniqueIndex('payments_order_id_key').on(t.orderId),
    uniqueIndex('payments_provider_reference_key').on(t.providerReference),
    uniqueIndex('payments_idempotency_key_key').on(t.idempotencyKey),
    check('payments_status_check', sql`${t.status} in (${inList(PAYMENT_STATUSES)})`),
    check('payments_amount_check', sql`${t.amount} >= 0`),
    check('payments_refund_attempts_check', sql`${t.refundAttempts} >= 0`),
    check('payments_currency_check', currencyCheck('currency')),
    check(
      'payments_refund_check',
      sql`(${t.status} = 'refunded') = (${t.refundReference} is not null and ${t.refundedAt} is not null)`,
    ),
  ],
);

/** `create` is the first event (version 1); every other row is a lifecycle action. */
export const ORDER_EVENT_ACTIONS = ['create', ...ORDER_ACTIONS] as const;

export const orderEvents = pgTable(
  'order_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    action: text('action', { enum: ORDER_EVENT_ACTIONS }).notNull(),
    fromStatus: text('from_status', { enum: ORDER_STATUSES }),
    toStatus: text('to_status', { enum: ORDER_STATUSES }).notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'restrict' }),
    actorRole: text('actor_role', { enum: ROLES }),
    /** The order's version after this event. */
    version: integer('version').notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
    /**
     * Global position in the event log (the outbox of SSE, the tRPC subscription and webhooks).
     * Drawn by `next_order_event_position()` under a shared advisory lock that the outbox reader's
     * barrier waits on, so a reader never passes a position whose transaction is still in flight
     * (see migration 0002 and apps/api/src/events/outbox.ts). Gaps are normal (rolled-back writes).
     */
    position: bigint('position', { mode: 'bigint' }).notNull().default(sql`next_order_event_position()`),
  },
  (t) => [
    uniqueIndex('order_events_position_key').on(t.position),
    // One event per version: two writers can never both log the same step.
    uniqueIndex('order_events_order_version_key').on(t.orderId, t.version),
    check('order_events_action_check', sql`${t.action} in (${inList(ORDER_EVENT_ACTIONS)})`),
    check(
      'order_events_status_check',
      sql`${t.toStatus} in (${inList(ORDER_STATUSES)}) and (${t.fromStatus} is null or ${t.fromStatus} in (${inList(ORDER_STATUSES)}))`,
    ),
    check('order_events_version_check', sql`${t.version} >= 1`),
  ],
);

export const IDEMPOTENCY_STATES = ['in-flight', 'completed'] as const;

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Method and concrete path, e.g. `POST /api/v2/orders/…/pay`: a key is scoped to user + route. */
    route: text('route').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: IDEMPOTENCY_STATES }).notNull(),
    /**
     * Fencing token of the current in-flight holder. A holder whose lease expired and was taken over
     * can no longer complete the record (its write matches no row), so a late finisher never
     * overwrites the outcome of the process that took over.
     */
    leaseToken: uuid('lease_token'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'date' }),
    responseStatus: integer('response_status'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    responseBody: text('response_body'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    uniqueIndex('idempotency_keys_scope_key').on(t.userId, t.route, t.key),
    index('idempotency_keys_expires_at_idx').on(t.expiresAt),
    check('idempotency_keys_state_check', sql`${t.state} in (${inList(IDEMPOTENCY_STATES)})`),
    check(
      'idempotency_keys_completed_check',
      sql`(${t.state} = 'completed') = (${t.responseStatus} is not null and ${t.responseBody} is not null)`,
    ),
    check(
      'idempotency_keys_lease_check',
      sql`(${t.state} = 'in-flight') = (${t.leaseToken} is not null and ${t.leaseExpiresAt} is not null)`,
    ),
  ],
);

/**
 * Webhooks (partners): an endpoint receives the order events its registrant may see (an owner: their
 * restaurants' orders; an admin: all), optionally only some event types. The secret signs every
 * delivery (Standard Webhooks); after a rotation the previous one keeps signing until it expires.
 */
export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'paused', 'disabled'] as const;

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who registered it: its deliveries are what this user may see. */
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** Event types delivered; null: every type. */
    eventTypes: text('event_types').array(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    status: text('status', { enum: WEBHOOK_ENDPOINT_STATUSES }).notNull().default('active'),
    disabledReason: text('disabled_reason'),
    /** Events at or below this outbox position predate the endpoint (it receives those after). */
    sincePosition: bigint('since_position', { mode: 'bigint' }).notNull(),
    /** Since when every attempt failed (null while the last attempt succeeded): the disable bound. */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('webhook_endpoints_owner_idx').on(t.ownerId, t.createdAt),
    check('webhook_endpoints_status_check', sql`${t.status} in (${inList(WEBHOOK_ENDPOINT_STATUSES)})`),
  ],
);

/**
 * One event to one endpoint: its `id` is the `webhook-id` (stable across attempts, so receivers
 * dedupe). The queue (pg-boss jobs) only wakes deliveries up; this row is the truth: a job attempts
 * only a delivery that is due and not leased by another attempt.
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'held', 'succeeded', 'failed'] as const;

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    position: bigint('position', { mode: 'bigint' }).notNull(),
    eventType: text('event_type').notNull(),
    orderId: uuid('order_id').notNull(),
    /** The Standard Webhooks payload `{ type, timestamp, data }`, exactly as signed and sent. */
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Attempts made before the current run of the retry schedule (a redeliver starts a new run). */
    runBase: integer('run_base').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    /** An attempt in progress holds the delivery until then (another attempt waits). */
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastResponseStatus: integer('last_response_status'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_endpoint_position_key').on(t.endpointId, t.position),
    index('webhook_deliveries_endpoint_created_idx').on(t.endpointId, t.createdAt.desc(), t.id.desc()),
    check('webhook_deliveries_status_check', sql`${t.status} in (${inList(WEBHOOK_DELIVERY_STATUSES)})`),
  ],
);

/** The delivery log: every attempt, its outcome, the receiver's status code and the latency. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    responseStatus: integer('response_status'),
    succeeded: boolean('succeeded').notNull(),
    error: text('error'),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);

/** How far the fan-out (outbox → deliveries) has read: one row, advanced compare-and-set. */
export const webhookDispatch = pgTable('webhook_dispatch', {
  id: integer('id').primaryKey(),
  position: bigint('position', { mode: 'bigint' }).notNull(),
});
