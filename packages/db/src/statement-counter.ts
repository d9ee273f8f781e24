/**
 * Counts the SQL statements a unit of work issues (a request, a scenario), through the Drizzle
 * logger that `createDb` installs, and the round trips to the database they cost, through the
 * instrumented driver. Scoped with AsyncLocalStorage, so concurrent requests on one process never
 * mix their counts. Statement counts exclude BEGIN/COMMIT, which the drivers issue themselves;
 * round trips include them (each is one exchange with the server).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StatementTally {
  count: number;
  statements: string[];
  /** Round trips known when they were issued (BEGIN/COMMIT, PGlite statements). */
  roundTrips: number;
  /**
   * Round trips known only once the driver built the query (whether it found the statement
   * prepared on its connection): read them with `roundTripsOf` after the work finished.
   */
  pendingRoundTrips: (() => number)[];
}

const scope = new AsyncLocalStorage<StatementTally>();

export function newStatementTally(): StatementTally {
  return { count: 0, statements: [], roundTrips: 0, pendingRoundTrips: [] };
}

/** Called by the Drizzle logger for every statement. */
export function recordStatement(sql: string): void {
  const tally = scope.getStore();
  if (!tally) return;
  tally.count++;
  if (tally.statements.length < 500) tally.statements.push(sql);
}

/** Called by the instrumented driver: `n` round trips, or a function saying how many once settled. */
export function recordRoundTrips(n: number | (() => number)): void {
  const tally = scope.getStore();
  if (!tally) return;
  if (typeof n === 'number') tally.roundTrips += n;
  else if (tally.pendingRoundTrips.length < 10_000) tally.pendingRoundTrips.push(n);
}

/** Round trips of a finished unit of work. */
export function roundTripsOf(tally: StatementTally): number {
  return tally.pendingRoundTrips.reduce((sum, f) => sum + f(), tally.roundTrips);
}

/**
 * Run `fn` and report how many statements (and round trips) it issued.
 *
 * @example
 * const { result, tally } = await countStatements(() => listOrders(db, actor));
 * console.log(tally.count, roundTripsOf(tally));
 */
export async function countStatements<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; tally: StatementTally }> {
  const tally = newStatementTally();
  // Awaited inside the scope: a Drizzle query is a lazy thenable that only runs once awaited.
  const result = await scope.run(tally, async () => await fn());
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
