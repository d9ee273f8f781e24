/**
 * Read results as nested objects (tRPC's typed output): each order carries the related objects
 * that were included, instead of JSON:API's flat `included` list. Expects full fieldsets (tRPC
 * has no sparse fields), so every attribute the schema requires is present.
 */
import type {
  MenuItem,
  OrderEvent,
  OrderIncludePath,
  OrderWithRelations,
  Payment,
  Restaurant,
  RestaurantWithMenu,
  UserSummary,
} from '@quickeats/domain';
import type { OrderReadResult } from './order-reads';
import type { RestaurantReadResult } from './restaurant-reads';

function byId<T extends { id: string }>(rows: T[] | undefined): Map<string, T> {
  return new Map((rows ?? []).map((r) => [r.id, r]));
}

function groupBy<T>(rows: T[] | undefined, key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows ?? []) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

const strip = <T extends { orderId?: string }>({ orderId: _orderId, ...rest }: T) => rest;

/**
 * Nest a full-fieldset order read (with `items` included) into `OrderWithRelations` objects;
 * `include` says which optional keys to set (customers and riders share one `users` set).
 */
export function nestOrders(
  result: OrderReadResult,
  include: ReadonlySet<OrderIncludePath>,
): OrderWithRelations[] {
  const inc = result.included;
  const restaurants = byId(inc.restaurants);
  const users = byId(inc.users);
  const menuItems = byId(inc.menuItems);
  const items = groupBy(inc.orderItems, (i) => i.orderId);
  const payments = new Map((inc.payments ?? []).map((p) => [p.orderId, p]));
  const events = groupBy(inc.orderEvents, (e) => e.orderId);

  return result.orders.map((o) => {
    const order: OrderWithRelations = {
      id: o.id,
      status: o.status!,
      version: o.version!,
      customerId: o.customerId!,
      restaurantId: o.restaurantId!,
      riderId: o.riderId ?? null,
      total: o.total!,
      note: o.note ?? null,
      allowedActions: o.allowedActions ?? [],
      createdAt: o.createdAt!,
      updatedAt: o.updatedAt!,
      items: (items.get(o.id) ?? []).map((i) => ({
        id: i.id,
        menuItemId: i.menuItemId!,
        name: i.name!,
        quantity: i.quantity!,
        unitPrice: i.unitPrice!,
        ...(inc.menuItems ? { menuItem: menuItems.get(i.menuItemId!) as MenuItem } : {}),
      })),
    };
    if (inc.restaurants) order.restaurant = restaurants.get(o.restaurantId!) as Restaurant;
    if (include.has('customer')) order.customer = users.get(o.customerId!) as UserSummary;
    if (include.has('rider')) order.rider = o.riderId ? (users.get(o.riderId) as UserSummary) : null;
    if (inc.payments) {
      const p = payments.get(o.id);
      order.payment = p ? (strip(p) as Payment) : null;
    }
    if (inc.orderEvents) order.events = (events.get(o.id) ?? []).map((e) => strip(e) as OrderEvent);
    return order;
  });
}

/** Nest a restaurant read with its menu items (when included). */
export function nestRestaurants(result: RestaurantReadResult): RestaurantWithMenu[] {
  const menus = groupBy(result.included.menuItems, (m) => m.restaurantId);
  return result.restaurants.map((r) => ({
    id: r.id,
    name: r.name!,
    currency: r.currency!,
    menuItems: (menus.get(r.id) ?? []) as MenuItem[],
  }));
}
