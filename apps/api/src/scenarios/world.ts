/** The scenario world of the deterministic seed: the demo accounts and the demo owner's restaurant. */
import { type Database, DEMO_ACCOUNTS, DEMO_PASSWORD, menuItems, restaurants, users } from '@quickeats/db';
import { and, asc, eq } from 'drizzle-orm';
import type { DemoParty, ScenarioWorld } from './types';

export async function loadScenarioWorld(db: Database): Promise<ScenarioWorld> {
  const [dish] = await db
    .select({ restaurantId: restaurants.id, menuItemId: menuItems.id })
    .from(restaurants)
    .innerJoin(users, eq(users.id, restaurants.ownerId))
    .innerJoin(menuItems, eq(menuItems.restaurantId, restaurants.id))
    .where(and(eq(users.email, DEMO_ACCOUNTS.owner), eq(menuItems.available, true)))
    .orderBy(asc(restaurants.name), asc(menuItems.name))
    .limit(1);
  if (!dish) throw new Error('the database holds no restaurant of the demo owner with a dish: seed it first');
  const account = (party: DemoParty) => ({ email: DEMO_ACCOUNTS[party], password: DEMO_PASSWORD });
  return {
    accounts: {
      customer: account('customer'),
      owner: account('owner'),
      rider: account('rider'),
      admin: account('admin'),
    },
    restaurantId: dish.restaurantId,
    menuItemId: dish.menuItemId,
  };
}
