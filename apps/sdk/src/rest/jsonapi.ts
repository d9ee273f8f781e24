/**
 * JSON:API documents → the SDK's plain objects. An order's items travel as `order-items` in
 * `included`; a list's next page is the `page[after]` of `links.next` (cursor-pagination profile).
 */
import type { Money, OrderAction, OrderStatus } from '../public/types.generated';
import type { MenuItem, Order, Restaurant } from '../types';

export interface ResourceIdentifier {
  type: string;
  id: string;
}

export interface Resource extends ResourceIdentifier {
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { data?: ResourceIdentifier | ResourceIdentifier[] | null } | unknown>;
}

export interface Document {
  data: Resource | Resource[];
  included?: Resource[];
  links?: { next?: string | null; [name: string]: unknown };
}

type Index = Map<string, Resource>;

export function indexIncluded(included: readonly Resource[] | undefined): Index {
  return new Map((included ?? []).map((r) => [`${r.type}:${r.id}`, r]));
}

function related(resource: Resource, name: string): ResourceIdentifier | ResourceIdentifier[] | null {
  const rel = resource.relationships?.[name] as { data?: ResourceIdentifier | ResourceIdentifier[] | null };
  return rel?.data ?? null;
}

function one(resource: Resource, name: string): string | null {
  const data = related(resource, name);
  return data && !Array.isArray(data) ? data.id : null;
}

function many(resource: Resource, name: string): ResourceIdentifier[] {
  const data = related(resource, name);
  return Array.isArray(data) ? data : [];
}

/** An `orders` resource (with its `order-items` from `included`) as an `Order`. */
export function orderFromResource(resource: Resource, included: Index, etagVersion?: number | null): Order {
  const a = resource.attributes ?? {};
  const version = typeof a.version === 'number' ? a.version : (etagVersion ?? 0);
  return {
    id: resource.id,
    status: a.status as OrderStatus,
    version,
    customerId: one(resource, 'customer') ?? '',
    restaurantId: one(resource, 'restaurant') ?? '',
    riderId: one(resource, 'rider'),
    total: a.total as Money,
    note: (a.note as string | null | undefined) ?? null,
    allowedActions: (a.allowedActions as OrderAction[] | undefined) ?? [],
    createdAt: a.createdAt as string,
    updatedAt: a.updatedAt as string,
    items: many(resource, 'items').flatMap((ref) => {
      const item = included.get(`order-items:${ref.id}`);
      if (!item) return [];
      const ia = item.attributes ?? {};
      return [
        {
          id: item.id,
          menuItemId: one(item, 'menuItem') ?? '',
          name: String(ia.name ?? ''),
          quantity: Number(ia.quantity ?? 0),
          unitPrice: ia.unitPrice as Money,
        },
      ];
    }),
  };
}

export function restaurantFromResource(resource: Resource): Restaurant {
  const a = resource.attributes ?? {};
  return { id: resource.id, name: String(a.name ?? ''), currency: String(a.currency ?? '') };
}

export function menuItemFromResource(resource: Resource, restaurantId: string): MenuItem {
  const a = resource.attributes ?? {};
  return {
    id: resource.id,
    restaurantId: one(resource, 'restaurant') ?? restaurantId,
    name: String(a.name ?? ''),
    price: a.price as Money,
    available: a.available !== false,
  };
}

/** The opaque cursor in `links.next` (null on the last page). */
export function nextCursor(doc: Pick<Document, 'links'>): string | null {
  const next = doc.links?.next;
  if (!next) return null;
  return new URL(next, 'http://localhost').searchParams.get('page[after]');
}
