/**
 * Small factories over the seeded database, for tests that need ids before the read API is
 * involved (e.g. a restaurant of the demo owner and items of its menu).
 */
import { DEMO_ACCOUNTS, menuItems, restaurants, users } from '@quickeats/db';
import { and, asc, eq } from 'drizzle-orm';
import type { TestStack } from './stack';

export interface DemoMenu {
  restaurantId: string;
  menuItemIds: string[];
}

/** The first restaurant of a seeded owner (default: the demo owner) and its available menu items. */
export async function demoMenu(
  stack: TestStack,
  ownerEmail: string = DEMO_ACCOUNTS.owner,
): Promise<DemoMenu> {
  const db = stack.database.db;
  const [restaurant] = await db
    .select({ id: restaurants.id })
    .from(restaurants)
    .innerJoin(users, eq(users.id, restaurants.ownerId))
    .where(eq(users.email, ownerEmail))
    .orderBy(asc(restaurants.name))
    .limit(1);
  if (!restaurant) throw new Error(`no restaurant owned by ${ownerEmail}`);
  const items = await db
    .select({ id: menuItems.id })
    .from(menuItems)
    .where(and(eq(menuItems.restaurantId, restaurant.id), eq(menuItems.available, true)))
    .orderBy(asc(menuItems.name));
  return { restaurantId: restaurant.id, menuItemIds: items.map((i) => i.id) };
}
