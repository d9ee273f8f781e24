/**
 * The v2 route that replaces a v1 request, for the `Link: <…>; rel="successor-version"` header
 * (RFC 5829 §3.2). v1's one `PUT /orders/:id` with a `status` splits into v2's explicit actions, so
 * a PUT's successor names the action once the handler knows it (`status: "cancelled"` → `/cancel`).
 */
import { LIFECYCLE, type OrderAction, type OrderStatus } from '@quickeats/domain';

const V2_ORDERS = '/api/v2/orders';
// Only a UUID is copied from the request path into the header: anything else could carry
// characters that break the Link syntax (`>`, `,`, `;`), so it falls back to the collection.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const V1_ORDER_PATH = /^\/api\/v1\/orders(?:\/([^/]+)(\/payment)?)?\/?$/;

/** The v2 action that moves an order to `status` (derived from the lifecycle table); none for `pending`. */
export function actionReaching(status: OrderStatus): OrderAction | undefined {
  return LIFECYCLE.find((rule) => rule.to === status)?.action;
}

/**
 * @example
 * v2SuccessorPath('GET', '/api/v1/orders')                       // '/api/v2/orders'
 * v2SuccessorPath('POST', `/api/v1/orders/${id}/payment`)         // `/api/v2/orders/${id}/pay`
 * v2SuccessorPath('PUT', `/api/v1/orders/${id}`, 'cancel')        // `/api/v2/orders/${id}/cancel`
 */
export function v2SuccessorPath(method: string, v1Path: string, action?: OrderAction): string {
  const match = V1_ORDER_PATH.exec(v1Path);
  const id = match?.[1];
  if (!id || !UUID.test(id)) return V2_ORDERS;
  if (match[2]) return `${V2_ORDERS}/${id}/pay`;
  if (method === 'PUT' && action) return `${V2_ORDERS}/${id}/${action}`;
  return `${V2_ORDERS}/${id}`;
}
