/**
 * Test helper: a fresh database per test file on the real local PostgreSQL, so runs (and test
 * files running in parallel) never share rows; dropped on close.
 *
 * Migrating and seeding a database costs seconds (DDL, scrypt for the demo accounts); copying one
 * costs a fraction of that. So each distinct (migrations, seed rows) pair is built once, as a
 * template database named by their digest, and every test database is `CREATE DATABASE … TEMPLATE`
 * of it: the same rows a fresh migrate + seed would write (the seed is deterministic), from the
 * committed migrations. A template is complete once its comment holds the seed summary; one left
 * half-built (a crash while building) has none and is rebuilt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDb, type DbHandle, MIGRATIONS_FOLDER } from './client';
import { insertSeedRows, type SeedOptions, type SeedRows, type SeedSummary, seedRows } from './seed';

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

async function withAdmin<T>(work: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Digest of every committed migration file (SQL and the journal), in name order; read once per process. */
let migrationsDigestOnce: string | undefined;
function migrationsDigest(): string {
  migrationsDigestOnce ??= readMigrationsDigest();
  return migrationsDigestOnce;
}

function readMigrationsDigest(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')),
    join('meta', '_journal.json'),
  ].sort();
  for (const file of files) hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  return hash.digest('hex');
}

/** Templates this process has made sure of, by name. */
const templates = new Map<string, Promise<SeedSummary | null>>();

function ensureTemplate(name: string, rows: SeedRows | null): Promise<SeedSummary | null> {
  let ready = templates.get(name);
  if (!ready) {
    ready = buildTemplate(name, rows);
    ready.catch(() => templates.delete(name));
    templates.set(name, ready);
  }
  return ready;
}

async function buildTemplate(name: string, rows: SeedRows | null): Promise<SeedSummary | null> {
  const readSummary = async (admin: postgres.Sql) => {
    const [row] = await admin<{ comment: string | null }[]>`
      select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${name}`;
    return row ? { exists: true, comment: row.comment } : { exists: false, comment: null };
  };
  return withAdmin(async (admin) => {
    // Processes of one run (and of runs in other checkouts) build each template once, in turn.
    await admin`select pg_advisory_lock(hashtext(${name}))`;
    try {
      const found = await readSummary(admin);
      if (found.comment) return JSON.parse(found.comment) as SeedSummary | null;
      if (found.exists) {
        await admin.unsafe(`alter database "${name}" is_template false allow_connections true`);
        await admin.unsafe(`drop database "${name}" with (force)`);
      }
      await admin.unsafe(`create database "${name}"`);
      // Two: migrate() holds one for its advisory lock while the migrator runs on the other.
      const handle = createDb({ url: withDatabase(TEST_ADMIN_URL, name), maxConnections: 2 });
      let summary: SeedSummary | null;
      try {
        await handle.migrate();
        summary = rows ? await insertSeedRows(handle.db, rows) : null;
      } finally {
        await handle.close();
      }
      // No one connects to a template, so copying it never meets "being accessed by other users".
      await admin.unsafe(`alter database "${name}" is_template true allow_connections false`);
      await admin.unsafe(`comment on database "${name}" is '${JSON.stringify(summary)}'`);
      return summary;
    } finally {
      await admin`select pg_advisory_unlock(hashtext(${name}))`;
    }
  });
}

/** The template database for these seed options: named by the digest of migrations and rows. */
export async function testTemplate(seed: boolean | SeedOptions | undefined) {
  const rows = seed ? await seedRows(seed === true ? {} : seed) : null;
  const digest = createHash('sha256').update(migrationsDigest()).update(JSON.stringify(rows)).digest('hex');
  return { name: `qe_template_${digest.slice(0, 24)}`, rows };
}

export async function createTestDatabase(
  options: { seed?: boolean | SeedOptions; maxConnections?: number } = {},
): Promise<TestDatabase> {
  const template = await testTemplate(options.seed);
  const seeded = await ensureTemplate(template.name, template.rows);
  const name = `qe_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.unsafe(`create database "${name}" template "${template.name}"`));
  const url = withDatabase(TEST_ADMIN_URL, name);
  const handle = createDb({ url, maxConnections: options.maxConnections ?? 10 });
  return {
    ...handle,
    url,
    name,
    seeded,
    close: async () => {
      await handle.close();
      await withAdmin((admin) => admin.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}
