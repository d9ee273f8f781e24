/**
 * The v2 REST surface for the problem scenarios: explicit `POST /api/v2/orders/:id/<action>`
 * routes with `If-Match` from the ETag the client last saw, `Idempotency-Key` on create and pay
 * (the payment intent's key, so a retry repeats it), JSON:API documents, and the compound list
 * `GET /api/v2/orders?page[size]=N&include=…` for problem 4.
 */
import { OrderStatusSchema } from '@quickeats/domain';
import { z } from 'zod';
import { exchangeJson, isSuccess, statementsOf } from './http-target';
import type { ChangeResult, ClientOrder, HttpExchange, ObservedEvent, SurfaceAdapter } from './types';

const JSONAPI = 'application/vnd.api+json';
const OrderDocument = z.object({
  data: z.object({ id: z.string(), attributes: z.object({ status: OrderStatusSchema, version: z.int() }) }),
  included: z
    .array(
      z.object({
        type: z.string(),
        id: z.string(),
        attributes: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
});
const TokenBody = z.object({ accessToken: z.string() });

/** Everything a screen of orders needs, as one compound document. */
export const V2_LIST_INCLUDE = 'restaurant,customer,rider,items.menuItem';

function unexpected(what: string, exchange: HttpExchange): Error {
  return new Error(
    `v2 adapter: ${what}: ${exchange.method} ${exchange.path} → ${exchange.status} ${JSON.stringify(exchange.body)}`,
  );
}

function clientOrder(body: unknown, etag: string | null): ClientOrder {
  const doc = OrderDocument.parse(body);
  return {
    id: doc.data.id,
    status: doc.data.attributes.status,
    version: doc.data.attributes.version,
    ...(etag ? { etag } : {}),
  };
}

function changeResult(exchange: HttpExchange, response: Response): ChangeResult {
  return {
    http: exchange,
    order: isSuccess(exchange.status) ? clientOrder(exchange.body, response.headers.get('etag')) : null,
  };
}

const ifMatch = (order: ClientOrder) => order.etag ?? `"v${order.version}"`;

export const v2Adapter: SurfaceAdapter = {
  surface: 'v2',

  async login(http, party, credentials) {
    const { exchange } = await exchangeJson(http, 'POST', '/api/v2/auth/token', { body: credentials });
    if (exchange.status !== 200) throw unexpected(`login as ${party}`, exchange);
    return { party, token: TokenBody.parse(exchange.body).accessToken };
  },

  async createOrder(http, session, draft) {
    const { exchange, response } = await exchangeJson(http, 'POST', '/api/v2/orders', {
      token: session.token,
      body: draft,
      headers: { accept: JSONAPI, 'idempotency-key': `create-${crypto.randomUUID()}` },
    });
    if (exchange.status !== 201) throw unexpected('create order', exchange);
    return clientOrder(exchange.body, response.headers.get('etag'));
  },

  async readOrder(http, session, orderId) {
    const path = `/api/v2/orders/${orderId}?include=payment,events`;
    const { exchange, response } = await exchangeJson(http, 'GET', path, {
      token: session.token,
      headers: { accept: JSONAPI },
    });
    if (exchange.status !== 200) throw unexpected('read order', exchange);
    const doc = OrderDocument.parse(exchange.body);
    const payment = doc.included?.find((r) => r.type === 'payments');
    const events = doc.included?.filter((r) => r.type === 'order-events');
    return {
      client: clientOrder(exchange.body, response.headers.get('etag')),
      payment: payment
        ? {
            status: String(payment.attributes?.status),
            providerReference: String(payment.attributes?.providerReference ?? ''),
          }
        : null,
      // The audit log is only known when the server honoured `include=events`.
      events: events?.length
        ? events
            .map(
              (e): ObservedEvent => ({
                action: String(e.attributes?.action),
                from: (e.attributes?.fromStatus ?? null) as ObservedEvent['from'],
                to: e.attributes?.toStatus as ObservedEvent['to'],
                version: Number(e.attributes?.version),
              }),
            )
            .sort((a, b) => a.version - b.version)
        : null,
    };
  },

  async changeState(http, session, order, action) {
    const { exchange, response } = await exchangeJson(http, 'POST', `/api/v2/orders/${order.id}/${action}`, {
      token: session.token,
      headers: { accept: JSONAPI, 'if-match': ifMatch(order) },
    });
    return changeResult(exchange, response);
  },

  async pay(http, session, order, intent) {
    const { exchange, response } = await exchangeJson(http, 'POST', `/api/v2/orders/${order.id}/pay`, {
      token: session.token,
      headers: { accept: JSONAPI, 'if-match': ifMatch(order), 'idempotency-key': intent.key },
    });
    return changeResult(exchange, response);
  },

  async listOrders(http, session, n) {
    const path = `/api/v2/orders?page[size]=${n}&include=${V2_LIST_INCLUDE}`;
    const { exchange, response, text } = await exchangeJson(http, 'GET', path, {
      token: session.token,
      headers: { accept: JSONAPI },
    });
    const data = (exchange.body as { data?: unknown[] } | null)?.data;
    return {
      method: 'GET',
      path,
      status: exchange.status,
      returned: Array.isArray(data) ? data.length : 0,
      statements: statementsOf(response),
      bytes: Buffer.byteLength(text),
    };
  },
};
