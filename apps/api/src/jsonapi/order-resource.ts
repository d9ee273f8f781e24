/**
 * The JSON:API document of one order as the write side returns it (create and every action):
 * the order with its items included. Built with the same resource builders as the read side,
 * so an order looks the same whether it came from `GET /orders/{id}` or from `POST …/accept`.
 * Resource types: `orders`, `restaurants`, `users` (customers and riders), `order-items`,
 * `menu-items`, `payments`, `order-events`.
 */
import type { Order } from '@quickeats/domain';
import type { OrderReadResult } from '../reads/order-reads';
import { orderReadDocument } from './compound-document';
import { orderSelf } from './resources';
import type { OrderDocument } from './schemas';

export type { OrderDocument, OrderResource } from './schemas';
export { orderSelf };

/** A domain `Order` as a read result: all attributes, its items as the included set. */
function asReadResult(order: Order): OrderReadResult {
  return {
    orders: [
      {
        id: order.id,
        cursor: '',
        cursorAt: '',
        status: order.status,
        version: order.version,
        total: order.total,
        note: order.note,
        allowedActions: order.allowedActions,
        createdAt: order.createdAt,
        updatedAt: order.updatedAt,
        customerId: order.customerId,
        restaurantId: order.restaurantId,
        riderId: order.riderId,
      },
    ],
    nextCursor: null,
    included: {
      orderItems: order.items.map((i) => ({
        id: i.id,
        orderId: order.id,
        menuItemId: i.menuItemId,
        name: i.name,
        quantity: i.quantity,
        unitPrice: i.unitPrice,
      })),
    },
  };
}

/** A single-order document, with its items included (they are part of what an order is). */
export function orderDocument(order: Order): OrderDocument {
  return orderReadDocument(asReadResult(order), {}, orderSelf(order.id));
}
