/**
 * Test helper: a fresh database per test file on the real local PostgreSQL, so runs (and test
 * files running in parallel) never share rows. Migrated with the committed migrations; dropped on close.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type DbHandle } from './client';
import { type SeedOptions, type SeedSummary, seed } from './seed';

/** Admin connection used to create and drop per-test databases. */
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends DbHandle {
  /** URL of the fresh database (pass it to API processes started by the test). */
  url: string;
  name: string;
  seeded: SeedSummary | null;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(
  options: { seed?: boolean | SeedOptions; maxConnections?: number } = {},
): Promise<TestDatabase> {
  const name = `qe_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_ADMIN_URL, name);
  const handle = createDb({ url, maxConnections: options.maxConnections ?? 10 });
  await handle.migrate();
  const seeded = options.seed ? await seed(handle.db, options.seed === true ? {} : options.seed) : null;
  return {
    ...handle,
    url,
    name,
    seeded,
    close: async () => {
      await handle.close();
      const drop = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await drop.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await drop.end();
      }
    },
  };
}
