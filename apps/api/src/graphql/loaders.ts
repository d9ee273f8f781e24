/**
 * Per-request DataLoaders: resolvers of one GraphQL request ask for related rows one at a time;
 * DataLoader collects the keys asked for in the same tick and issues one batched statement per
 * kind. New loaders per request, so nothing cached crosses users or requests.
 */
import type { Database } from '@quickeats/db';
import DataLoader from 'dataloader';
import {
  eventsByOrder,
  itemsByOrder,
  menuItemsById,
  menuItemsByRestaurant,
  paymentsByOrder,
  restaurantsById,
  usersById,
} from '../reads/batch-loaders';

export function createLoaders(db: Database) {
  return {
    restaurant: new DataLoader((keys: readonly string[]) => restaurantsById(db, keys)),
    user: new DataLoader((keys: readonly string[]) => usersById(db, keys)),
    menuItem: new DataLoader((keys: readonly string[]) => menuItemsById(db, keys)),
    menuByRestaurant: new DataLoader((keys: readonly string[]) => menuItemsByRestaurant(db, keys)),
    itemsByOrder: new DataLoader((keys: readonly string[]) => itemsByOrder(db, keys)),
    paymentByOrder: new DataLoader((keys: readonly string[]) => paymentsByOrder(db, keys)),
    eventsByOrder: new DataLoader((keys: readonly string[]) => eventsByOrder(db, keys)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
