/**
 * A hook around every SQL statement Drizzle sends — start, then end with its error if any — for
 * tracing (one span per statement). Drizzle's logger only sees a statement start, and its built-in
 * OpenTelemetry spans are compiled out, so the hook wraps the one method every Drizzle PostgreSQL
 * driver (postgres.js and PGlite) runs each statement through: `PgPreparedQuery.queryWithCache`.
 * Nothing is wrapped until an observer is installed, so with tracing off statements cost nothing
 * more. The statement text is passed on; its parameters never are (they hold personal data).
 */
import { PgPreparedQuery } from 'drizzle-orm/pg-core';

/** Called as a statement starts; returns what to call when it ends (or nothing to skip it). */
export type StatementObserver = (sql: string) => ((error?: unknown) => void) | undefined;

type QueryWithCache = (query: string, params: unknown[], run: () => Promise<unknown>) => Promise<unknown>;

let current: StatementObserver | undefined;
let installed = false;

/** Install (or, with undefined, remove) the process's statement observer. */
export function observeStatements(observer: StatementObserver | undefined): void {
  current = observer;
  if (!observer || installed) return;
  installed = true;
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache };
  const original = proto.queryWithCache;
  if (typeof original !== 'function')
    throw new Error('drizzle-orm changed: PgPreparedQuery.queryWithCache is gone (statement observer)');
  proto.queryWithCache = async function (this: unknown, query, params, run) {
    const end = current?.(query);
    if (!end) return original.call(this, query, params, run);
    try {
      const result = await original.call(this, query, params, run);
      end();
      return result;
    } catch (error) {
      end(error);
      throw error;
    }
  };
}
