/**
 * The demo world of the deterministic seed: the demo accounts and a dish of the demo owner's
 * restaurant. Scenarios, the demo and API tests all start from it.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from './client';
import { menuItems, restaurants, users } from './schema';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './seed';

export type DemoParty = keyof typeof DEMO_ACCOUNTS;

export interface Credentials {
  email: string;
  password: string;
}

/** The fixed facts a scenario needs about the data it runs on. */
export interface DemoWorld {
  accounts: Record<DemoParty, Credentials>;
  /** A restaurant owned by `accounts.owner`… */
  restaurantId: string;
  /** …and an available dish on its menu. */
  menuItemId: string;
}

export async function loadDemoWorld(db: Database): Promise<DemoWorld> {
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
