import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orders } from './schema';
import { observeStatements } from './statement-observer';
import { createTestDatabase, type TestDatabase } from './testing';

describe('statement observer', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase();
  });
  afterAll(async () => {
    observeStatements(undefined);
    await pg?.close();
  });

  it('sees each statement start and end with its text, never its parameters, and its error', async () => {
    const seen: Array<{ sql: string; ended: boolean; error?: unknown }> = [];
    observeStatements((text) => {
      const entry: (typeof seen)[number] = { sql: text, ended: false };
      seen.push(entry);
      return (error) => {
        entry.ended = true;
        if (error) entry.error = error;
      };
    });
    const secret = 'c0ffee00-0000-4000-8000-000000000000';
    await pg.db.select({ id: orders.id }).from(orders).where(sql`${orders.id} = ${secret}`);
    await pg.db.transaction(async (tx) => {
      await tx.execute(sql`select ${'another secret'}::text`);
    });
    await expect(pg.db.execute(sql`select * from no_such_table`)).rejects.toThrow();
    observeStatements(undefined);
    await pg.db.execute(sql`select 'not observed'`);

    expect(seen.map((s) => s.sql)).toEqual([
      expect.stringMatching(/^select "id" from "orders" where "orders"."id" = \$1$/),
      'select $1::text',
      'select * from no_such_table',
    ]);
    expect(JSON.stringify(seen)).not.toContain(secret);
    expect(seen.every((s) => s.ended)).toBe(true);
    expect(seen[2]!.error).toBeDefined();
    expect(seen[0]!.error).toBeUndefined();
  });
});
