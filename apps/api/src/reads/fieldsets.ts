/**
 * Resource types of the read side and the fields (attributes and relationships) each one has —
 * the vocabulary of JSON:API sparse fieldsets (`fields[TYPE]=a,b`). The query layer narrows its
 * SELECT to the fields a client asked for, so an unrequested column is never read.
 */

/** An order's attributes, and its to-one relationships (stored as columns of `orders`). */
export const ORDER_ATTRIBUTES = [
  'status',
  'version',
  'total',
  'note',
  'allowedActions',
  'createdAt',
  'updatedAt',
] as const;
export const ORDER_TO_ONE = ['customer', 'restaurant', 'rider'] as const;

export const RESOURCE_FIELDS = {
  orders: [...ORDER_ATTRIBUTES, ...ORDER_TO_ONE, 'items', 'payment', 'events'],
  restaurants: ['name', 'currency', 'menuItems'],
  users: ['name', 'role'],
  'order-items': ['name', 'quantity', 'unitPrice', 'menuItem'],
  'menu-items': ['name', 'price', 'available', 'restaurant'],
  payments: ['status', 'amount', 'createdAt', 'refundedAt'],
  'order-events': ['action', 'fromStatus', 'toStatus', 'actorRole', 'version', 'reason', 'createdAt'],
} as const;

export type ResourceType = keyof typeof RESOURCE_FIELDS;
export type FieldOf<T extends ResourceType> = (typeof RESOURCE_FIELDS)[T][number];
export const RESOURCE_TYPES = Object.keys(RESOURCE_FIELDS) as ResourceType[];

/** Requested fields per type; a type that is absent gets all its fields (JSON:API default). */
export type Fieldsets = { [T in ResourceType]?: ReadonlySet<FieldOf<T>> };

/** Whether `field` of `type` is in the response. */
export function wants<T extends ResourceType>(fields: Fieldsets, type: T, field: FieldOf<T>): boolean {
  const set = fields[type] as ReadonlySet<FieldOf<T>> | undefined;
  return set === undefined || set.has(field);
}
