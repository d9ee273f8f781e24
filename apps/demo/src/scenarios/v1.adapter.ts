/**
 * The v1 surface for the problem scenarios: `PUT /api/v1/orders/:id {status}` for every lifecycle
 * action (the target status comes from the lifecycle table), `POST …/payment` with no idempotency
 * (a payment intent's key has nowhere to go), `GET /api/v1/orders?limit=N` for the list. v1 shares
 * v2's bearer tokens, so logging in goes through `POST /api/v2/auth/token`.
 */
import { LIFECYCLE, type OrderAction, OrderStatusSchema } from '@quickeats/domain';
import { z } from 'zod';
import { exchangeJson, isSuccess, statementsOf } from './http-target';
import type { ChangeResult, ClientOrder, HttpExchange, ObservedOrder, SurfaceAdapter } from './types';

const V1OrderBody = z.object({ id: z.string(), status: OrderStatusSchema, version: z.int() });
const V1NestedOrderBody = V1OrderBody.extend({
  // The provider reference is null unless the reader paid (or is an admin): v1 hides it as v2 does.
  payment: z.object({ status: z.string(), providerReference: z.string().nullable() }).nullable(),
  events: z.array(
    z.object({
      action: z.string(),
      fromStatus: OrderStatusSchema.nullable(),
      toStatus: OrderStatusSchema,
      version: z.int(),
    }),
  ),
});
const TokenBody = z.object({ accessToken: z.string() });

function unexpected(what: string, exchange: HttpExchange): Error {
  return new Error(
    `v1 adapter: ${what}: ${exchange.method} ${exchange.path} → ${exchange.status} ${JSON.stringify(exchange.body)}`,
  );
}

function clientOrder(body: unknown): ClientOrder {
  const { id, status, version } = V1OrderBody.parse(body);
  return { id, status, version };
}

/** v1 has one PUT for every action: the action becomes the status the lifecycle table leads to. */
function targetStatus(action: OrderAction) {
  const rule = LIFECYCLE.find((r) => r.action === action);
  if (!rule) throw new Error(`v1 adapter: unknown action ${action}`);
  return rule.to;
}

function changeResult(exchange: HttpExchange, order: unknown): ChangeResult {
  return { http: exchange, order: isSuccess(exchange.status) ? clientOrder(order) : null };
}

export const v1Adapter: SurfaceAdapter = {
  surface: 'v1',

  async login(http, party, credentials) {
    const { exchange } = await exchangeJson(http, 'POST', '/api/v2/auth/token', { body: credentials });
    if (exchange.status !== 200) throw unexpected(`login as ${party}`, exchange);
    return { party, token: TokenBody.parse(exchange.body).accessToken };
  },

  async createOrder(http, session, draft) {
    const { exchange } = await exchangeJson(http, 'POST', '/api/v1/orders', {
      token: session.token,
      body: draft,
    });
    if (exchange.status !== 201) throw unexpected('create order', exchange);
    return clientOrder(exchange.body);
  },

  async readOrder(http, session, orderId): Promise<ObservedOrder> {
    const { exchange } = await exchangeJson(http, 'GET', `/api/v1/orders/${orderId}`, {
      token: session.token,
    });
    if (exchange.status !== 200) throw unexpected('read order', exchange);
    const body = V1NestedOrderBody.parse(exchange.body);
    return {
      client: { id: body.id, status: body.status, version: body.version },
      payment: body.payment && {
        status: body.payment.status,
        providerReference: body.payment.providerReference ?? '',
      },
      events: body.events.map((e) => ({
        action: e.action,
        from: e.fromStatus,
        to: e.toStatus,
        version: e.version,
      })),
    };
  },

  // v1 has no conditional requests: the client's view of the order (its version) goes nowhere.
  async changeState(http, session, order, action) {
    const { exchange } = await exchangeJson(http, 'PUT', `/api/v1/orders/${order.id}`, {
      token: session.token,
      body: { status: targetStatus(action) },
    });
    return changeResult(exchange, exchange.body);
  },

  // …and no idempotency: the intent's key cannot be sent, so a retry is a new payment.
  async pay(http, session, order, _intent) {
    const { exchange } = await exchangeJson(http, 'POST', `/api/v1/orders/${order.id}/payment`, {
      token: session.token,
    });
    const body = exchange.body as { order?: unknown } | null;
    return changeResult(exchange, body?.order);
  },

  async listOrders(http, session, n) {
    const path = `/api/v1/orders?limit=${n}`;
    const { exchange, response, text } = await exchangeJson(http, 'GET', path, { token: session.token });
    const orders = (exchange.body as { orders?: unknown[] } | null)?.orders;
    return {
      method: 'GET',
      path,
      status: exchange.status,
      returned: Array.isArray(orders) ? orders.length : 0,
      statements: statementsOf(response),
      bytes: Buffer.byteLength(text),
    };
  },
};
