/**
 * The API's own list statement (`orderQuery`, what `GET /api/v2/orders` runs) for an actor, as text
 * and parameters to run raw through postgres.js (prepared): the list's in-process baseline
 * (near-limit.ts) and the bare server's list route both run exactly this.
 */
import { orderQuery } from '@quickeats/api/reads';
import type { Actor } from '@quickeats/domain';
import type { Query } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

export function listStatement(actor: Actor, include: Iterable<string>, size = 50): Query {
  return dialect.sqlToQuery(
    orderQuery({ actor, include: new Set(include) as never, fields: {}, filter: {}, size }),
  );
}
