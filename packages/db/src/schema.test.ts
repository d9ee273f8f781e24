import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle, executeRows, MIGRATIONS_FOLDER, pgErrorOf } from './client';
import { createTestDatabase, type TestDatabase } from './testing';

async function readSchema(handle: DbHandle) {
  const columns = await executeRows<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    handle.db,
    sql`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns where table_schema = 'public'`,
  );
  const constraints = await executeRows<{ conname: string; contype: string; relname: string }>(
    handle.db,
    sql`select c.conname, c.contype, r.relname from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_namespace n on n.oid = r.relnamespace where n.nspname = 'public'`,
  );
  const indexes = await executeRows<{ indexname: string; indexdef: string }>(
    handle.db,
    sql`select indexname, indexdef from pg_indexes where schemaname = 'public'`,
  );
  return { columns, constraints, indexes };
}

function expectProductionSchema(s: Awaited<ReturnType<typeof readSchema>>) {
  const version = s.columns.find((c) => c.table_name === 'orders' && c.column_name === 'version');
  expect(version).toMatchObject({ data_type: 'integer', is_nullable: 'NO', column_default: '1' });
  const checks = s.constraints.filter((c) => c.contype === 'c').map((c) => c.conname);
  expect(checks).toEqual(
    expect.arrayContaining([
      'orders_status_check',
      'orders_version_check',
      'orders_total_check',
      'payments_amount_check',
      'menu_items_price_check',
      'order_items_quantity_check',
      'users_role_check',
      'order_events_action_check',
      'idempotency_keys_state_check',
      'idempotency_keys_lease_check',
      'webhook_endpoints_status_check',
      'webhook_deliveries_status_check',
    ]),
  );
  const uniques = s.indexes
    .filter((i) => i.indexdef.startsWith('CREATE UNIQUE INDEX'))
    .map((i) => i.indexname);
  expect(uniques).toEqual(
    expect.arrayContaining([
      'users_email_key',
      'payments_order_id_key',
      'payments_idempotency_key_key',
      'order_events_order_version_key',
      'idempotency_keys_scope_key',
      'webhook_deliveries_endpoint_position_key',
    ]),
  );
  const fks = s.constraints.filter((c) => c.contype === 'f').map((c) => c.relname);
  expect(new Set(fks)).toEqual(
    new Set([
      'restaurants',
      'menu_items',
      'orders',
      'order_items',
      'payments',
      'order_events',
      'idempotency_keys',
      'webhook_endpoints',
      'webhook_deliveries',
      'webhook_attempts',
    ]),
  );
}

describe('migrations on the real PostgreSQL', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase();
  });
  afterAll(() => pg?.close());

  it('creates every table with version columns, checks, unique keys and foreign keys', async () => {
    expect(pg.driver).toBe('postgres');
    expectProductionSchema(await readSchema(pg));
  });

  it('is idempotent when run again (a second API process starting)', async () => {
    await Promise.all([pg.migrate(), pg.migrate()]);
    const [row] = await executeRows<{ n: number }>(
      pg.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    // Each committed migration is recorded once, however many processes ran them together.
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    expect(row?.n).toBe(journal.entries.length);
  });

  it('rejects rows the domain forbids: unknown status, negative money, a second payment per order', async () => {
    const violation = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => pgErrorOf(e)?.constraint,
      );
    expect(
      await violation(
        pg.db.execute(
          sql`insert into users (email, name, role, password_hash) values ('x@y.z', 'x', 'pilot', 'h')`,
        ),
      ),
    ).toBe('users_role_check');
    const [u] = await executeRows<{ id: string }>(
      pg.db,
      sql`insert into users (email, name, role, password_hash) values ('a@b.c', 'a', 'restaurant', 'h') returning id`,
    );
    const [r] = await executeRows<{ id: string }>(
      pg.db,
      sql`insert into restaurants (owner_id, name, currency) values (${u!.id}, 'r', 'USD') returning id`,
    );
    expect(
      await violation(
        pg.db.execute(
          sql`insert into orders (customer_id, restaurant_id, status, total_amount, currency) values (${u!.id}, ${r!.id}, 'shipped', 1, 'USD')`,
        ),
      ),
    ).toBe('orders_status_check');
    expect(
      await violation(
        pg.db.execute(
          sql`insert into orders (customer_id, restaurant_id, total_amount, currency) values (${u!.id}, ${r!.id}, -1, 'USD')`,
        ),
      ),
    ).toBe('orders_total_check');
    const [o] = await executeRows<{ id: string; version: number }>(
      pg.db,
      sql`insert into orders (customer_id, restaurant_id, total_amount, currency) values (${u!.id}, ${r!.id}, 100, 'USD') returning id, version`,
    );
    expect(o?.version).toBe(1);
    await pg.db.execute(
      sql`insert into payments (order_id, amount, currency, status, provider_reference, idempotency_key) values (${o!.id}, 100, 'USD', 'succeeded', 'ch_1', 'k1')`,
    );
    expect(
      await violation(
        pg.db.execute(
          sql`insert into payments (order_id, amount, currency, status, provider_reference, idempotency_key) values (${o!.id}, 100, 'USD', 'succeeded', 'ch_2', 'k2')`,
        ),
      ),
    ).toBe('payments_order_id_key');
  });

  it('refuses an in-flight idempotency record without a lease token, and a completed one that keeps it', async () => {
    const violation = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => pgErrorOf(e)?.constraint,
      );
    const [u] = await executeRows<{ id: string }>(
      pg.db,
      sql`insert into users (email, name, role, password_hash) values ('lease@b.c', 'a', 'customer', 'h') returning id`,
    );
    // Without a token a taken-over holder could not be fenced off: the schema refuses the row.
    expect(
      await violation(
        pg.db.execute(
          sql`insert into idempotency_keys (user_id, route, key, fingerprint, state, lease_expires_at, expires_at)
              values (${u!.id}, 'POST /x', 'k', 'fp', 'in-flight', now(), now())`,
        ),
      ),
    ).toBe('idempotency_keys_lease_check');
    expect(
      await violation(
        pg.db.execute(
          sql`insert into idempotency_keys (user_id, route, key, fingerprint, state, lease_token, lease_expires_at,
                                            response_status, response_body, expires_at)
              values (${u!.id}, 'POST /x', 'k', 'fp', 'completed', gen_random_uuid(), now(), 201, '{}', now())`,
        ),
      ),
    ).toBe('idempotency_keys_lease_check');
    expect(
      await violation(
        pg.db.execute(
          sql`insert into idempotency_keys (user_id, route, key, fingerprint, state, lease_token, lease_expires_at, expires_at)
              values (${u!.id}, 'POST /x', 'k', 'fp', 'in-flight', gen_random_uuid(), now(), now())`,
        ),
      ),
    ).toBeNull();
  });
});

describe('migrations on embedded PGlite', () => {
  let lite: DbHandle;
  beforeAll(async () => {
    lite = createDb({ dataDir: 'memory://' });
    await lite.migrate();
  });
  afterAll(() => lite?.close());

  it('produces the same schema as on PostgreSQL', async () => {
    expect(lite.driver).toBe('pglite');
    expectProductionSchema(await readSchema(lite));
  });
});
