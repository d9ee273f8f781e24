/**
 * A statement compiled once and run many times (`compileStatement` + `executeCompiled`), on both
 * drivers: each run gets its own values, a placeholder used twice gets the same value in both
 * places, a transaction runs it on the transaction, and it is still one counted statement; a
 * statement cache compiles each shape once.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileStatement, createDb, type DbHandle, executeCompiled, slot, statementCache } from './client';
import { countStatements } from './statement-counter';
import { createTestDatabase, type TestDatabase } from './testing';

const statement = compileStatement(
  sql`select ${sql.placeholder('name')}::text as name, ${sql.placeholder('n')}::int * 2 as twice,
             ${sql.placeholder('name')}::text = ${sql.placeholder('name')}::text as same, ${'fixed'}::text as fixed`,
);

describe.each([
  ['PostgreSQL', 'pg'],
  ['PGlite', 'pglite'],
] as const)('a compiled statement on %s', (_label, driver) => {
  let pg: TestDatabase | undefined;
  let handle: DbHandle;
  beforeAll(async () => {
    if (driver === 'pg') {
      pg = await createTestDatabase();
      handle = createDb({ url: pg.url, maxConnections: 2 });
    } else handle = createDb({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await handle?.close();
    await pg?.close();
  });

  it('runs with each call’s values, constants kept, as one statement', async () => {
    const runs = await Promise.all(
      ['a', 'b', 'c'].map((name, i) =>
        countStatements(handle.db, (db) => executeCompiled(db, statement, { name, n: i + 1 })),
      ),
    );
    expect(runs.map((r) => r.result)).toEqual([
      [{ name: 'a', twice: 2, same: true, fixed: 'fixed' }],
      [{ name: 'b', twice: 4, same: true, fixed: 'fixed' }],
      [{ name: 'c', twice: 6, same: true, fixed: 'fixed' }],
    ]);
    expect(runs.map((r) => r.tally.count)).toEqual([1, 1, 1]);
  });

  it('runs inside a transaction on the transaction, and refuses a missing value', async () => {
    const seen = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`create temporary table marks (v text) on commit drop`);
      await tx.execute(sql`insert into marks values ('in the transaction')`);
      const rows = await executeCompiled<{ name: string }>(
        tx,
        compileStatement(sql`select v as name from marks`),
        {},
      );
      return rows.map((r) => r.name);
    });
    expect(seen).toEqual(['in the transaction']);
    await expect(executeCompiled(handle.db, statement, { name: 'x' })).rejects.toThrow(/placeholder "n"/);
  });
});

describe('statementCache', () => {
  it('builds and compiles a shape once, and each shape apart', () => {
    const compiled = statementCache();
    let builds = 0;
    const build = (n: number) => () => {
      builds++;
      return sql`select ${slot('v')}::int + ${n} as v`;
    };
    const one = compiled('plus 1', build(1));
    expect(compiled('plus 1', build(1))).toBe(one);
    const two = compiled('plus 2', build(2));
    expect(two).not.toBe(one);
    expect(builds).toBe(2);
    expect(one.sql).toBe('select $1::int + $2 as v');
    expect(two.params[1]).toBe(2);
  });
});
