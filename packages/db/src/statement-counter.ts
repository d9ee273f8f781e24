/**
 * Counts the SQL statements a unit of work issues (a request, a scenario) and the round trips to
 * the database they cost. The count is explicit, not ambient: `tallied(db, tally)` is the same
 * database with every statement and exchange recorded in `tally`, and the unit of work runs its
 * statements on that. Concurrent requests each have their own, so their counts never mix.
 *
 * Not AsyncLocalStorage: on Node 20 one `run()` turns on a promise hook for every promise of the
 * process, and a request makes about 120 promises. Measured on the production bundle (issue 15),
 * the ambient tally cost a GET by id about 70 µs of the worker's ~350 µs of CPU, and a whole order
 * lifecycle 15–20 % of the API's CPU.
 *
 * Statement counts exclude BEGIN/COMMIT, which the drivers issue themselves; round trips include
 * them (each is one exchange with the server).
 */
import type { Database } from './client';

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

export function newStatementTally(): StatementTally {
  return { count: 0, statements: [], roundTrips: 0, pendingRoundTrips: [] };
}

/** Called by the database's logger for every statement. */
export function recordStatement(tally: StatementTally, sql: string): void {
  tally.count++;
  if (tally.statements.length < 500) tally.statements.push(sql);
}

/** Called by the instrumented driver: `n` round trips, or a function saying how many once settled. */
export function recordRoundTrips(tally: StatementTally, n: number | (() => number)): void {
  if (typeof n === 'number') tally.roundTrips += n;
  else if (tally.pendingRoundTrips.length < 10_000) tally.pendingRoundTrips.push(n);
}

/** Round trips of a finished unit of work. */
export function roundTripsOf(tally: StatementTally): number {
  return tally.pendingRoundTrips.reduce((sum, f) => sum + f(), tally.roundTrips);
}

/** How `createDb` makes a counting twin of each database it opens. */
const twins = new WeakMap<object, (tally: StatementTally) => Database>();

/** Registered by `createDb` for every database it opens (the primary and each replica). */
export function registerTallying(db: Database, twin: (tally: StatementTally) => Database): void {
  twins.set(db, twin);
}

/**
 * `db` with its statements and round trips recorded in `tally`: the same connections, prepared
 * statements and transactions. A database `createDb` did not open is answered as it is (uncounted).
 *
 * @example
 * const tally = newStatementTally();
 * await listOrders(tallied(db, tally), actor, request);
 * console.log(tally.count, roundTripsOf(tally));
 */
export function tallied(db: Database, tally: StatementTally): Database {
  const twin = twins.get(db);
  return twin ? twin(tally) : db;
}

/**
 * Run `work` on a counting twin of `db` and report how many statements (and round trips) it issued.
 *
 * @example
 * const { result, tally } = await countStatements(db, (db) => listOrders(db, actor));
 * console.log(tally.count, roundTripsOf(tally));
 */
export async function countStatements<T>(
  db: Database,
  work: (db: Database) => Promise<T>,
): Promise<{ result: T; tally: StatementTally }> {
  const tally = newStatementTally();
  const result = await work(tallied(db, tally));
  return { result, tally };
}
