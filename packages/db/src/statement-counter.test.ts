import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from './schema';
import { countStatements } from './statement-counter';
import { createTestDatabase, type TestDatabase } from './testing';

describe('statement counter', () => {
  let pg: TestDatabase;
  beforeAll(async () => {
    pg = await createTestDatabase();
  });
  afterAll(() => pg?.close());

  it('counts the statements of one unit of work, not those of concurrent ones', async () => {
    const [a, b] = await Promise.all([
      countStatements(async () => {
        await pg.db.select().from(users);
        await pg.db.execute(sql`select 1`);
        await pg.db.select().from(users);
      }),
      countStatements(async () => {
        await pg.db.execute(sql`select 2`);
      }),
    ]);
    expect(a.tally.count).toBe(3);
    expect(b.tally.count).toBe(1);
    expect(b.tally.statements[0]).toContain('select 2');
  });
});
