/**
 * Deterministic demo data: the same rows on every run (fixed PRNG seed, fixed clock), so tests,
 * demos and benchmarks see the same world. Orders are spread over every state, each with the event
 * log and payment its history implies (version = number of events).
 */
import { createHash } from 'node:crypto';
import { decide, type OrderAction, type OrderSnapshot, type OrderStatus, type Role } from '@quickeats/domain';
import { count } from 'drizzle-orm';
import type { Database } from './client';
import { hashPassword } from './password';
import { menuItems, orderEvents, orderItems, orders, payments, restaurants, users } from './schema';

export const DEMO_PASSWORD = 'quickeats-demo';
export const DEMO_ACCOUNTS = {
  customer: 'customer@quickeats.test',
  owner: 'owner@quickeats.test',
  rider: 'rider@quickeats.test',
  admin: 'admin@quickeats.test',
} as const;

export interface SeedOptions {
  orders?: number;
  customers?: number;
  restaurants?: number;
  riders?: number;
}

/** Fixed clock: order i is created `i` minutes before this instant. */
const SEED_EPOCH = Date.UTC(2026, 10, 1, 12, 0, 0);

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const DISHES = [
  'Bibimbap',
  'Kimchi Jjigae',
  'Bulgogi',
  'Tteokbokki',
  'Japchae',
  'Mandu',
  'Naengmyeon',
  'Samgyeopsal',
  'Margherita',
  'Pad Thai',
  'Pho',
  'Ramen',
  'Burrito',
  'Falafel Wrap',
  'Caesar Salad',
  'Cheeseburger',
];
const RESTAURANT_NAMES = [
  'Seoul Kitchen',
  'Han River Grill',
  'Busan Noodles',
  'Jeju Table',
  'Gangnam Bites',
  'Mapo Diner',
];

/**
 * The histories orders are given: the actions (and which party performs them) from `pending`.
 * Every state of the lifecycle appears, and cancellations from every state that allows one.
 */
const HISTORIES: { party: 'customer' | 'owner' | 'rider' | 'admin'; action: OrderAction }[][] = [
  [],
  [{ party: 'customer', action: 'pay' }],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
    { party: 'owner', action: 'mark-ready' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
    { party: 'owner', action: 'mark-ready' },
    { party: 'rider', action: 'pick-up' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
    { party: 'owner', action: 'mark-ready' },
    { party: 'rider', action: 'pick-up' },
    { party: 'rider', action: 'deliver' },
  ],
  [{ party: 'customer', action: 'cancel' }],
  [
    { party: 'customer', action: 'pay' },
    { party: 'customer', action: 'cancel' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
    { party: 'owner', action: 'cancel' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'accept' },
    { party: 'owner', action: 'mark-ready' },
    { party: 'admin', action: 'cancel' },
  ],
  [
    { party: 'customer', action: 'pay' },
    { party: 'owner', action: 'reject' },
  ],
];
/** Relative frequency of each history; delivered orders dominate, like a real day. */
const HISTORY_WEIGHTS = [8, 10, 6, 5, 4, 45, 5, 4, 3, 2, 8];

function pickWeighted(rand: () => number): number {
  const total = HISTORY_WEIGHTS.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let i = 0; i < HISTORY_WEIGHTS.length; i++) {
    r -= HISTORY_WEIGHTS[i]!;
    if (r < 0) return i;
  }
  return 0;
}

function chunk<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Deterministic (salt from the email), so one hash per email per process is enough: scrypt is slow. */
const demoHashes = new Map<string, Promise<string>>();
function demoHash(email: string): Promise<string> {
  // Deterministic salt so the seed is reproducible; these are demo accounts only.
  let hash = demoHashes.get(email);
  if (!hash) {
    const salt = createHash('sha256').update(`quickeats-seed:${email}`).digest().subarray(0, 16);
    hash = hashPassword(DEMO_PASSWORD, salt);
    hash.catch(() => demoHashes.delete(email));
    demoHashes.set(email, hash);
  }
  return hash;
}

export interface SeedSummary {
  users: number;
  restaurants: number;
  menuItems: number;
  orders: number;
  events: number;
  payments: number;
}

/** The demo world's rows, computed (no I/O): the same rows for the same options, every time. */
export interface SeedRows {
  users: (typeof users.$inferInsert)[];
  restaurants: (typeof restaurants.$inferInsert)[];
  menuItems: (typeof menuItems.$inferInsert)[];
  orders: (typeof orders.$inferInsert)[];
  orderItems: (typeof orderItems.$inferInsert)[];
  orderEvents: (typeof orderEvents.$inferInsert)[];
  payments: (typeof payments.$inferInsert)[];
}

/** Insert the demo world into an empty database. */
export async function seed(db: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  return insertSeedRows(db, await seedRows(options));
}

/** Insert rows from `seedRows` in one transaction. */
export async function insertSeedRows(db: Database, rows: SeedRows): Promise<SeedSummary> {
  await db.transaction(async (tx) => {
    await tx.insert(users).values(rows.users);
    await tx.insert(restaurants).values(rows.restaurants);
    await tx.insert(menuItems).values(rows.menuItems);
    for (const part of chunk(rows.orders, 1000)) await tx.insert(orders).values(part);
    for (const part of chunk(rows.orderItems, 2000)) await tx.insert(orderItems).values(part);
    for (const part of chunk(rows.orderEvents, 2000)) await tx.insert(orderEvents).values(part);
    for (const part of chunk(rows.payments, 2000)) await tx.insert(payments).values(part);
  });
  return seedSummary(rows);
}

export function seedSummary(rows: SeedRows): SeedSummary {
  return {
    users: rows.users.length,
    restaurants: rows.restaurants.length,
    menuItems: rows.menuItems.length,
    orders: rows.orders.length,
    events: rows.orderEvents.length,
    payments: rows.payments.length,
  };
}

export async function seedRows(options: SeedOptions = {}): Promise<SeedRows> {
  const rand = mulberry32(20261126);
  const nOrders = options.orders ?? 1000;
  const nCustomers = options.customers ?? 20;
  const nRestaurants = options.restaurants ?? 5;
  const nRiders = options.riders ?? 8;

  type UserRow = typeof users.$inferInsert & { id: string };
  const people: UserRow[] = [];
  const person = async (email: string, name: string, role: Role) => {
    const row = { id: uuidFrom(rand), email, name, role, passwordHash: await demoHash(email) };
    people.push(row);
    return row;
  };
  const admin = await person(DEMO_ACCOUNTS.admin, 'Ada Admin', 'admin');
  const customers = [await person(DEMO_ACCOUNTS.customer, 'Chris Customer', 'customer')];
  for (let i = 2; i <= nCustomers; i++)
    customers.push(await person(`customer${i}@quickeats.test`, `Customer ${i}`, 'customer'));
  const owners = [await person(DEMO_ACCOUNTS.owner, 'Olivia Owner', 'restaurant')];
  for (let i = 2; i <= nRestaurants; i++)
    owners.push(await person(`owner${i}@quickeats.test`, `Owner ${i}`, 'restaurant'));
  const riders = [await person(DEMO_ACCOUNTS.rider, 'Riley Rider', 'rider')];
  for (let i = 2; i <= nRiders; i++)
    riders.push(await person(`rider${i}@quickeats.test`, `Rider ${i}`, 'rider'));

  const restaurantRows = owners.map((owner, i) => ({
    id: uuidFrom(rand),
    ownerId: owner.id,
    name: RESTAURANT_NAMES[i % RESTAURANT_NAMES.length]! + (i >= RESTAURANT_NAMES.length ? ` ${i + 1}` : ''),
    currency: 'USD',
  }));
  const menuRows = restaurantRows.flatMap((r, i) =>
    Array.from({ length: 8 }, (_, j) => ({
      id: uuidFrom(rand),
      restaurantId: r.id,
      name: DISHES[(i * 3 + j) % DISHES.length]!,
      priceAmount: 500 + Math.floor(rand() * 30) * 50,
      currency: 'USD',
    })),
  );

  const orderRows: (typeof orders.$inferInsert)[] = [];
  const itemRows: (typeof orderItems.$inferInsert)[] = [];
  const eventRows: (typeof orderEvents.$inferInsert)[] = [];
  const paymentRows: (typeof payments.$inferInsert)[] = [];

  for (let i = 0; i < nOrders; i++) {
    const id = uuidFrom(rand);
    const customer = customers[Math.floor(rand() * customers.length)]!;
    const rIndex = Math.floor(rand() * restaurantRows.length);
    const restaurant = restaurantRows[rIndex]!;
    const owner = owners[rIndex]!;
    const menu = menuRows.filter((m) => m.restaurantId === restaurant.id);
    const lines = new Map<string, number>();
    const nLines = 1 + Math.floor(rand() * 3);
    for (let l = 0; l < nLines; l++) {
      const m = menu[Math.floor(rand() * menu.length)]!;
      lines.set(m.id, (lines.get(m.id) ?? 0) + 1 + Math.floor(rand() * 2));
    }
    let total = 0;
    for (const [menuItemId, quantity] of lines) {
      const m = menu.find((x) => x.id === menuItemId)!;
      total += m.priceAmount * quantity;
      itemRows.push({
        id: uuidFrom(rand),
        orderId: id,
        menuItemId,
        name: m.name,
        quantity,
        unitPriceAmount: m.priceAmount,
        currency: 'USD',
      });
    }
    const createdAt = new Date(SEED_EPOCH - (nOrders - i) * 60_000);
    eventRows.push({
      id: uuidFrom(rand),
      orderId: id,
      action: 'create',
      fromStatus: null,
      toStatus: 'pending',
      actorId: customer.id,
      actorRole: 'customer',
      version: 1,
      createdAt,
    });

    // Replay the history through the domain's decision function, so seeded data obeys the same table.
    const rider = riders[Math.floor(rand() * riders.length)]!;
    const actors = {
      customer: { userId: customer.id, role: 'customer' as const },
      owner: { userId: owner.id, role: 'restaurant' as const },
      rider: { userId: rider.id, role: 'rider' as const },
      admin: { userId: admin.id, role: 'admin' as const },
    };
    let snap: OrderSnapshot = {
      status: 'pending',
      version: 1,
      customerId: customer.id,
      restaurantOwnerId: owner.id,
      riderId: null,
    };
    let at = createdAt.getTime();
    let payment: typeof payments.$inferInsert | null = null;
    for (const step of HISTORIES[pickWeighted(rand)]!) {
      const d = decide(snap, step.action, actors[step.party]);
      if (!d.ok) throw new Error(`seed history is not a valid path: ${d.detail}`);
      at += (2 + Math.floor(rand() * 8)) * 60_000;
      const when = new Date(at);
      eventRows.push({
        id: uuidFrom(rand),
        orderId: id,
        action: d.action,
        fromStatus: d.from,
        toStatus: d.to,
        actorId: actors[step.party].userId,
        actorRole: actors[step.party].role,
        version: d.version,
        createdAt: when,
      });
      if (d.effects.includes('charge')) {
        const key = `seed-pay-${id}`;
        payment = {
          id: uuidFrom(rand),
          orderId: id,
          amount: total,
          currency: 'USD',
          status: 'succeeded',
          providerReference: `ch_seed_${i}`,
          idempotencyKey: key,
          // No provider ever charged it: a refund is recorded without asking one (schema.ts).
          seeded: true,
          createdAt: when,
        };
      }
      if (d.effects.includes('refund') && payment) {
        payment = { ...payment, status: 'refunded', refundReference: `re_seed_${i}`, refundedAt: when };
      }
      snap = { ...snap, status: d.to as OrderStatus, version: d.version, riderId: d.riderId };
    }
    if (payment) paymentRows.push(payment);
    orderRows.push({
      id,
      customerId: customer.id,
      restaurantId: restaurant.id,
      riderId: snap.riderId,
      status: snap.status,
      version: snap.version,
      totalAmount: total,
      currency: 'USD',
      note: null,
      createdAt,
      updatedAt: new Date(at),
    });
  }

  return {
    users: people,
    restaurants: restaurantRows,
    menuItems: menuRows,
    orders: orderRows,
    orderItems: itemRows,
    orderEvents: eventRows,
    payments: paymentRows,
  };
}

/** Seed only a database that has no users yet (the embedded default on first start). */
export async function seedIfEmpty(db: Database, options?: SeedOptions): Promise<SeedSummary | null> {
  const [row] = await db.select({ n: count() }).from(users);
  if ((row?.n ?? 0) > 0) return null;
  return seed(db, options);
}
