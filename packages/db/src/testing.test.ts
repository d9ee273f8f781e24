import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, executeRows } from './client';
import { createTestDatabase, TEST_ADMIN_URL, type TestDatabase, testTemplate } from './testing';

describe('createTestDatabase (copies of a migrated, seeded template)', () => {
  const opened: TestDatabase[] = [];
  const open = async (orders: number) => {
    const db = await createTestDatabase({ seed: { orders } });
    opened.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it('gives each caller its own database with the seed rows, and writes stay in it', async () => {
    const [a, b] = await Promise.all([open(7), open(7)]);
    expect(a.name).not.toBe(b.name);
    expect(a.seeded).toMatchObject({ orders: 7, users: 34 });
    const countOrders = async (db: TestDatabase) =>
      Number((await executeRows<{ n: string }>(db.db, 'select count(*)::text as n from orders'))[0]?.n);
    expect(await countOrders(a)).toBe(7);
    for (const table of ['payments', 'order_events', 'order_items', 'orders'])
      await a.db.execute(`delete from ${table}`);
    expect(await countOrders(a)).toBe(0);
    expect(await countOrders(b)).toBe(7);
    // Migrated: the migrator's bookkeeping came with the copy.
    const [applied] = await executeRows<{ n: string }>(
      b.db,
      'select count(*)::text as n from drizzle.__drizzle_migrations',
    );
    expect(Number(applied?.n)).toBeGreaterThan(0);
  });

  it('rebuilds a template left half-built (no summary comment) instead of copying it', async () => {
    const template = await testTemplate({ orders: 4 });
    const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      // As a crash between CREATE DATABASE and the comment leaves it: there, empty, no summary.
      await admin
        .unsafe(`alter database "${template.name}" is_template false allow_connections true`)
        .catch(() => {});
      await admin.unsafe(`drop database if exists "${template.name}" with (force)`);
      await admin.unsafe(`create database "${template.name}"`);
      const db = await open(4);
      expect(db.seeded).toMatchObject({ orders: 4, users: 34 });
      const [orders] = await executeRows<{ n: string }>(db.db, 'select count(*)::text as n from orders');
      expect(Number(orders?.n)).toBe(4);
      const [row] = await admin<{ comment: string | null }[]>`
        select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${template.name}`;
      expect(JSON.parse(row!.comment!)).toEqual(db.seeded);
    } finally {
      await admin.end();
    }
  });
});

describe('migrate() on a pool of one connection', () => {
  it('refuses at once, naming the pool size, instead of waiting forever for a second connection', async () => {
    const handle = createDb({ url: TEST_ADMIN_URL, maxConnections: 1 });
    try {
      await expect(handle.migrate()).rejects.toThrow(/at least 2 connections \(maxConnections is 1\)/);
    } finally {
      await handle.close();
    }
  });
});
