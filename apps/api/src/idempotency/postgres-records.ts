/**
 * The `idempotency_keys` table, as both stores use it. Postgres is where the final record of every
 * key ends up — the Postgres store keeps the lease there too, the Upstash store only the result —
 * and its unique index on (user_id, route, key) is the last guard against a duplicate effect.
 */
import {
  type Database,
  executeCompiled,
  executeRows,
  idempotencyKeys,
  slot,
  statementCache,
  type Tx,
} from '@quickeats/db';
import type { IdempotencyRecord } from '@quickeats/domain';
import { type SQL, sql } from 'drizzle-orm';
import type { IdempotencyScope, IdempotencyTiming, ReadAlong, StoredResponse } from './store';

const k = idempotencyKeys;

export interface RecordRow extends Record<string, unknown> {
  state: 'in-flight' | 'completed';
  fingerprint: string;
  lease_expires_at: string | Date | null;
  response_status: number | null;
  response_headers: Record<string, string> | string | null;
  response_body: string | null;
  db_now: string | Date;
}

export function toRecord(row: RecordRow): IdempotencyRecord {
  if (row.state === 'completed') {
    const headers = row.response_headers;
    return {
      state: 'completed',
      fingerprint: row.fingerprint,
      status: row.response_status!,
      headers: typeof headers === 'string' ? JSON.parse(headers) : (headers ?? {}),
      body: row.response_body!,
    };
  }
  return {
    state: 'in-flight',
    fingerprint: row.fingerprint,
    leaseExpiresAt: new Date(row.lease_expires_at!),
  };
}

/**
 * The record `k` may be replaced by an execution of the request with `fingerprint`: past retention,
 * or the in-flight lease of a holder that died running that same request (the domain's take rule).
 */
export const deadFor = (fingerprint: SQL) =>
  sql`(k.expires_at <= now() or (k.state = 'in-flight' and k.lease_expires_at <= now() and k.fingerprint = ${fingerprint}))`;

const scopeIs = (scope: IdempotencyScope) =>
  sql`${k.userId} = ${scope.userId} and ${k.route} = ${scope.route} and ${k.key} = ${scope.key}`;

/** The record for a scope and the database's clock (the one clock every API process shares). */
export async function selectRecord(
  db: Database | Tx,
  scope: IdempotencyScope,
): Promise<{ record: IdempotencyRecord; now: Date } | null> {
  const [row] = await executeRows<RecordRow>(
    db,
    sql`select state, fingerprint, lease_expires_at, response_status, response_headers, response_body,
               now() as db_now
          from ${k} where ${scopeIs(scope)}`,
  );
  return row ? { record: toRecord(row), now: new Date(row.db_now) } : null;
}

/** The statements of this module, compiled once. */
const compiled = statementCache();

/**
 * The statement of `takeOrRead` (the lease of every leased key); its values are placeholders. With
 * `along`, the row that reports the key taken also carries that subquery's value (`along`).
 */
function takeOrReadSql(along?: SQL) {
  const scope: IdempotencyScope = { userId: slot('userId'), route: slot('route'), key: slot('key') };
  return sql`with taken as (
          insert into ${k} as k (user_id, route, key, fingerprint, state, lease_token, lease_expires_at, expires_at)
          values (${scope.userId}, ${scope.route}, ${scope.key}, ${slot('fingerprint')}, 'in-flight', ${slot('token')},
                  now() + make_interval(secs => ${slot('leaseSeconds')}),
                  now() + make_interval(secs => ${slot('retentionSeconds')}))
          on conflict (user_id, route, key) do update
             set fingerprint = excluded.fingerprint, state = 'in-flight', lease_token = excluded.lease_token,
                 lease_expires_at = excluded.lease_expires_at, expires_at = excluded.expires_at,
                 response_status = null, response_headers = null, response_body = null, created_at = now()
           where ${deadFor(sql`excluded.fingerprint`)}
          returning k.id
        )
        select true as taken, null as state, null as fingerprint, null as lease_expires_at,
               null::int as response_status, null::jsonb as response_headers, null as response_body, now() as db_now,
               ${along ?? sql`null::json`} as along
          from taken
        union all
        select false, state, fingerprint, lease_expires_at, response_status, response_headers, response_body, now(),
               null
          from ${k}
         where ${scopeIs(scope)} and not exists (select 1 from taken)`;
}

/**
 * Take a key for `token` in one statement, or read what holds it. Taken when the key is new, when
 * its lease expired for the same request (the holder died), or when its record outlived retention.
 * `taken: false` with no record means the row changed under us (inserted or deleted by a
 * concurrent statement this one's snapshot cannot see): the caller asks again. With `along`, a
 * taken key comes with the value of that read, run by the same statement.
 */
export async function takeOrRead(
  db: Database,
  scope: IdempotencyScope,
  fingerprint: string,
  token: string,
  timing: IdempotencyTiming,
  along?: ReadAlong,
): Promise<
  { taken: true; along: unknown } | { taken: false; found: { record: IdempotencyRecord; now: Date } | null }
> {
  const values: Record<string, unknown> = {
    ...scope,
    fingerprint,
    token,
    leaseSeconds: timing.leaseSeconds,
    retentionSeconds: timing.retentionSeconds,
  };
  for (const name of Object.keys(along?.values ?? {})) {
    // One statement, one set of slots: a read's slot named like the lease's would read the lease's value.
    if (name in values)
      throw new Error(`ReadAlong '${along!.name}': its slot '${name}' is one of the lease's`);
  }
  const rows = await executeCompiled<RecordRow & { taken: boolean; along: unknown }>(
    db,
    along
      ? compiled(`take or read, with ${along.name}`, () => takeOrReadSql(along.sql))
      : compiled('take or read', () => takeOrReadSql()),
    { ...values, ...along?.values },
  );
  const [row] = rows;
  if (row?.taken) return { taken: true, along: row.along };
  return { taken: false, found: row ? { record: toRecord(row), now: new Date(row.db_now) } : null };
}

/** In-flight → completed, only for the holder of `token`. False: the lease was lost. */
export async function completeHeld(
  db: Database | Tx,
  scope: IdempotencyScope,
  token: string,
  response: StoredResponse,
  timing: IdempotencyTiming,
): Promise<boolean> {
  const rows = await executeRows(
    db,
    sql`update ${k}
           set state = 'completed', lease_token = null, lease_expires_at = null,
               response_status = ${response.status}, response_headers = ${JSON.stringify(response.headers)}::jsonb,
               response_body = ${response.body},
               expires_at = now() + make_interval(secs => ${timing.retentionSeconds})
         where ${scopeIs(scope)} and ${k.leaseToken} = ${token} and ${k.state} = 'in-flight'
     returning ${k.id}`,
  );
  return rows.length === 1;
}

/**
 * Insert the completed record (the Upstash store, whose lease lives elsewhere; a key claimed by its
 * write). False: a live record already exists — another execution of the same request finished
 * first, or holds a live lease — and this one must not commit. A record past retention, or the lease
 * of a holder that died running this very request, is replaced.
 */
export async function insertCompleted(
  db: Database | Tx,
  scope: IdempotencyScope,
  fingerprint: string,
  response: StoredResponse,
  timing: IdempotencyTiming,
): Promise<boolean> {
  const rows = await executeRows(
    db,
    sql`insert into ${k} as k (user_id, route, key, fingerprint, state, response_status, response_headers,
                              response_body, expires_at)
        values (${scope.userId}, ${scope.route}, ${scope.key}, ${fingerprint}, 'completed', ${response.status},
                ${JSON.stringify(response.headers)}::jsonb, ${response.body},
                now() + make_interval(secs => ${timing.retentionSeconds}))
        on conflict (user_id, route, key) do update
           set fingerprint = excluded.fingerprint, state = 'completed', lease_token = null,
               lease_expires_at = null, response_status = excluded.response_status,
               response_headers = excluded.response_headers, response_body = excluded.response_body,
               created_at = now(), expires_at = excluded.expires_at
         where ${deadFor(sql`excluded.fingerprint`)}
     returning k.id`,
  );
  return rows.length === 1;
}

/** Delete the in-flight mark of `token` (a completed record is never deleted by a release). */
export async function deleteHeld(db: Database, scope: IdempotencyScope, token: string): Promise<void> {
  await db.execute(
    sql`delete from ${k} where ${scopeIs(scope)} and ${k.leaseToken} = ${token} and ${k.state} = 'in-flight'`,
  );
}

/** Delete up to `batch` records past retention (bounded, so a purge never holds long locks). */
export async function deleteExpired(db: Database, batch = 1000): Promise<number> {
  const rows = await executeRows(
    db,
    sql`delete from ${k} where ${k.id} in (select id from ${k} where ${k.expiresAt} <= now() limit ${batch})
        returning ${k.id}`,
  );
  return rows.length;
}
