/**
 * How busy the postgres.js pool is, for the `quickeats_db_pool_connections` gauge. postgres.js keeps
 * its connection queues private, so the demand is counted where work enters the pool: a statement
 * outside a transaction holds a connection (or waits for one) from the moment it is awaited until
 * it settles, a transaction from `begin` until it commits or rolls back. Whatever exceeds the pool
 * size is waiting. Statements inside a transaction run on the transaction's connection, already
 * counted, so only the root client's `unsafe` and `begin` (what Drizzle calls on it) are wrapped.
 */
import type { Sql } from 'postgres';

export interface PoolStats {
  /** Configured pool size. */
  max: number;
  /** Connections doing work (statements or open transactions). */
  inUse: number;
  /** Statements and transactions queued for a connection. */
  waiting: number;
}

// biome-ignore lint/suspicious/noExplicitAny: postgres.js' generic client type
type AnySql = Sql<any>;

export function trackPoolDemand(client: AnySql, max: number): () => PoolStats {
  let demand = 0;
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((...args: Parameters<AnySql['unsafe']>) => {
    const query = unsafe(...args);
    // A postgres.js query is lazy: it is sent when first awaited, i.e. when `then` is called.
    const then = query.then as (
      this: unknown,
      ok: (v: unknown) => unknown,
      ko: (e: unknown) => unknown,
    ) => Promise<unknown>;
    // biome-ignore lint/suspicious/noThenProperty: wrapping the query's own `then`, on purpose
    query.then = function (
      this: typeof query,
      onFulfilled?: ((v: never) => unknown) | null,
      onRejected?: ((e: unknown) => unknown) | null,
    ) {
      demand++;
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          demand--;
        }
      };
      return then.call(
        this,
        (value) => {
          settle();
          return onFulfilled ? onFulfilled(value as never) : value;
        },
        (error) => {
          settle();
          if (onRejected) return onRejected(error);
          throw error;
        },
      );
    } as unknown as typeof query.then;
    return query;
  }) as AnySql['unsafe'];
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.begin = ((...args: unknown[]) => {
    demand++;
    return begin(...args).finally(() => {
      demand--;
    });
  }) as AnySql['begin'];
  return () => ({ max, inUse: Math.min(demand, max), waiting: Math.max(0, demand - max) });
}
