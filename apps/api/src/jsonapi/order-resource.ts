/**
 * The JSON:API resource object of an order. Resource types: `orders`, `restaurants`, `users`
 * (customers and riders), `order-items`, `menu-items`, `payments`, `order-events`. Compound
 * documents (includes, sparse fieldsets) build on this.
 */
import type { Order } from '@quickeats/domain';
import type { z } from 'zod';
import type { OrderDocumentSchema, OrderResourceSchema } from './schemas';

export type OrderResource = z.infer<typeof OrderResourceSchema>;
export type OrderDocument = z.infer<typeof OrderDocumentSchema>;

export interface ResourceIdentifier {
  type: string;
  id: string;
}

export interface ResourceObject extends ResourceIdentifier {
  attributes: Record<string, unknown>;
  relationships?: Record<
    string,
    { data: ResourceIdentifier | ResourceIdentifier[] | null; links?: Record<string, string> }
  >;
  links?: { self: string };
  meta?: Record<string, unknown>;
}

export function orderSelf(id: string): string {
  return `/api/v2/orders/${id}`;
}

export function orderResource(order: Order): OrderResource & ResourceObject {
  return {
    type: 'orders' as const,
    id: order.id,
    attributes: {
      status: order.status,
      version: order.version,
      total: order.total,
      note: order.note,
      allowedActions: order.allowedActions,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    },
    relationships: {
      customer: { data: { type: 'users' as const, id: order.customerId } },
      restaurant: { data: { type: 'restaurants' as const, id: order.restaurantId } },
      rider: { data: order.riderId ? { type: 'users' as const, id: order.riderId } : null },
      items: { data: order.items.map((i) => ({ type: 'order-items' as const, id: i.id })) },
    },
    links: { self: orderSelf(order.id) },
  };
}

/** A single-order document, with its items included (they are part of what an order is). */
export function orderDocument(order: Order): OrderDocument {
  return {
    jsonapi: { version: '1.1' },
    data: orderResource(order),
    included: order.items.map((i) => ({
      type: 'order-items',
      id: i.id,
      attributes: { name: i.name, quantity: i.quantity, unitPrice: i.unitPrice },
      relationships: { menuItem: { data: { type: 'menu-items', id: i.menuItemId } } },
    })),
    links: { self: orderSelf(order.id) },
  };
}
