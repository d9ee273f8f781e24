/**
 * Counts the SQL statements a unit of work issues (a request, a scenario), through the Drizzle
 * logger that `createDb` installs. Scoped with AsyncLocalStorage, so concurrent requests on one
 * process never mix their counts. Counts exclude BEGIN/COMMIT, which the drivers issue themselves.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StatementTally {
  count: number;
  statements: string[];
}

const scope = new AsyncLocalStorage<StatementTally>();

/** Called by the Drizzle logger for every statement. */
export function recordStatement(sql: string): void {
  const tally = scope.getStore();
  if (!tally) return;
  tally.count++;
  if (tally.statements.length < 500) tally.statements.push(sql);
}

/**
 * Run `fn` and report how many statements it issued.
 *
 * @example
 * const { result, tally } = await countStatements(() => listOrders(db, actor));
 * console.log(tally.count);
 */
export async function countStatements<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; tally: StatementTally }> {
  const tally: StatementTally = { count: 0, statements: [] };
  const result = await scope.run(tally, fn);
  return { result, tally };
}

/** Run `fn` with `tally` collecting statements (for middleware that reads the tally afterwards). */
export function withStatementTally<T>(tally: StatementTally, fn: () => T): T {
  return scope.run(tally, fn);
}

/**
 * Run `fn` outside any tally: background work started from within a request (a listener, a timer)
 * would otherwise keep counting into that request's tally for as long as it lives.
 */
export function outsideStatementTally<T>(fn: () => T): T {
  return scope.exit(fn);
}
