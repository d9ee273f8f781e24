/**
 * Small SQL fragment builders for the read queries: JSON objects built in PostgreSQL (so one
 * statement can return a page together with every related resource), timestamps formatted the way
 * the API prints them, and money as `{ amount, currency }`. Keys and columns come from fixed lists
 * in code, never from a request.
 */
import { type SQL, sql } from 'drizzle-orm';

/** `json_build_object('k1', e1, …)`; keys are code constants. */
export function jsonObject(pairs: ReadonlyArray<readonly [string, SQL]>): SQL {
  return sql`json_build_object(${sql.join(
    pairs.map(([key, value]) => sql`${sql.raw(`'${key}'`)}, ${value}`),
    sql`, `,
  )})`;
}

/** ISO 8601 in UTC with milliseconds, as `Date#toISOString` prints it. */
export function isoMillis(column: string): SQL {
  return sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}

/** ISO 8601 in UTC with PostgreSQL's full microsecond precision (for keyset cursors). */
export function isoMicros(column: string): SQL {
  return sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);
}

export function money(amountColumn: string, currencyColumn: string): SQL {
  return sql.raw(`json_build_object('amount', ${amountColumn}, 'currency', ${currencyColumn})`);
}

export function col(expression: string): SQL {
  return sql.raw(expression);
}

/** `coalesce(json_agg(<expr> order by …), '[]')` over `from …`: an empty set is `[]`, not null. */
export function jsonArray(element: SQL, from: SQL, orderBy: string): SQL {
  return sql`(select coalesce(json_agg(${element} order by ${sql.raw(orderBy)}), '[]'::json) ${from})`;
}
