/**
 * One client factory for both places data can live (SPEC "Where data lives"): postgres.js when a
 * URL is given, embedded PGlite (file-backed, or in memory for `memory://`) when not. The same
 * committed drizzle-kit migrations run on both.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type Query, type SQL, sql } from 'drizzle-orm';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type PoolStats, trackPoolDemand } from './pool-demand';
import * as schema from './schema';
import {
  recordRoundTrips,
  recordStatement,
  registerTallying,
  type StatementTally,
} from './statement-counter';

export type Schema = typeof schema;
/** The driver-independent database handle every repository and service takes. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle (same query API as `Database`). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * The committed migrations: `packages/db/drizzle` beside the source, or `drizzle/` beside a
 * bundled server (`apps/api` build copies them next to `dist/main.mjs`).
 */
export const MIGRATIONS_FOLDER =
  [new URL('../drizzle', import.meta.url), new URL('./drizzle', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(`${dir}/meta/_journal.json`)) ??
  fileURLToPath(new URL('../drizzle', import.meta.url));

export interface DbOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory (ignored with `url`); `memory://` keeps everything in memory. */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** Client-side limit on opening a connection (postgres.js `connect_timeout`). Default 3 s. */
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout` of every session. Default 8 s. */
  statementTimeoutMs?: number;
  /**
   * Named prepared statements for every query (default true): a statement already prepared on its
   * connection costs one round trip, an unnamed one two (parse + describe, then bind + execute) and
   * a re-plan. The one switch for it: a transaction-mode pooler (PgBouncer) needs `false`.
   */
  preparedStatements?: boolean;
  /**
   * `url` goes through a transaction-mode pooler (PgBouncer `pool_mode = transaction`): every
   * transaction may run on another server connection, so nothing may outlive one. Then prepared
   * statements are off (unless `preparedStatements` says otherwise), the session settings
   * (statement_timeout, idle_in_transaction_session_timeout) are not sent as startup parameters —
   * PgBouncer 1.18 refuses unknown ones; the pooler sets them (`connect_query`) or the role does —
   * queries are never pipelined (see `clientOptions`), and LISTEN and the migration lock use
   * `directUrl`.
   */
  pooled?: boolean;
  /**
   * A direct (session) connection to the primary, for what needs a session: LISTEN for live events
   * and the advisory lock around migrations and seed. Default: `url`.
   */
  directUrl?: string | undefined;
  /** Streaming replicas (hot standbys) for reads that may be slightly behind: see `DbHandle.replicas`. */
  replicaUrls?: readonly string[];
}

export interface ReplicaHandle {
  /** The replica's database handle: reads only (a hot standby refuses writes). */
  db: Database;
  /** The URL without credentials, for logs. */
  label: string;
  /**
   * How far the replica is behind the primary: WAL bytes not yet replayed, and the seconds since the
   * last transaction it replayed when bytes are outstanding (0 when caught up).
   */
  lag(): Promise<ReplicaLag>;
  close(): Promise<void>;
}

export interface ReplicaLag {
  bytes: number;
  seconds: number;
}

export interface DbHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /**
   * Apply the committed migrations (idempotent), then `underLock` (e.g. the demo seed) while the
   * migration lock is still held, so processes starting together on an empty database run it once.
   */
  migrate(underLock?: () => Promise<void>): Promise<void>;
  /** `SELECT 1`, for health checks. */
  ping(): Promise<void>;
  /**
   * LISTEN on `channel`: `onNotify` per notification, `onListen` each time the listener is (re)connected
   * (postgres.js reconnects a dropped listener; anything sent meanwhile is lost, so callers re-read
   * their source of truth then). Resolves with the function that stops listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  /** How busy the connection pool is (postgres.js; the embedded database has no pool). */
  poolStats?: () => PoolStats;
  /** The streaming replicas given as `replicaUrls` (none for the embedded database). */
  replicas: ReplicaHandle[];
  close(): Promise<void>;
}

/**
 * The embedded PostgreSQL's settings (issue 15: `pnpm start` ≤ 400 MB for its process tree). PGlite
 * keeps initdb's server defaults, sized for a shared server: `shared_buffers = 128MB` lives in the
 * WebAssembly memory and is touched as pages are read (~110 MB resident once warm), plus lock and
 * connection slots for 100 backends. PGlite is one single-user backend on a demo-sized database
 * (a few MB): 16 MB of buffers hold all of it, and the slots are for one. Measured on a seeded demo
 * directory (bare PGlite, list queries): 278 → 150 MB resident at ready.
 */
export const PGLITE_START_PARAMS: string[] = [
  ...PGlite.defaultStartParams,
  ...['shared_buffers=16MB', 'max_connections=4', 'max_locks_per_transaction=32', 'wal_buffers=256kB']
    .concat(['max_wal_senders=0', 'max_replication_slots=0', 'autovacuum_worker_slots=1'])
    .flatMap((setting) => ['-c', setting]),
];

type PgClient = ReturnType<typeof postgres>;
/** What the driver leaves on a query once it built it (postgres.js internals, read-only here). */
type BuiltQuery = { prepared?: boolean; parameters?: unknown[] };

/**
 * The postgres.js client as Drizzle sees it, with two changes made in this one place:
 * - every query goes out as a named prepared statement when `prepare` is on (Drizzle asks for an
 *   unnamed one unless a query is `.prepare()`d by name);
 * - with a `tally`, every exchange with the server is counted in it: a query prepared on its
 *   connection, or one without parameters, is 1 round trip; one with parameters that the
 *   connection has not prepared yet is 2 (parse + describe, then bind + execute); BEGIN and
 *   COMMIT/ROLLBACK are 1 each.
 */
function instrument(client: PgClient, prepare: boolean, tally?: StatementTally): PgClient {
  const unsafe = (query: string, args?: unknown[], options?: Record<string, unknown>) => {
    const q = client.unsafe(query, args as never, { ...options, prepare } as never);
    if (tally) {
      const built = q as unknown as BuiltQuery;
      recordRoundTrips(tally, () => (!built.prepared && (built.parameters?.length ?? 0) > 0 ? 2 : 1));
    }
    return q;
  };
  const transactional =
    (method: 'begin' | 'savepoint', roundTrips: number) =>
    (...args: unknown[]) => {
      const fn = args.pop() as (tx: PgClient) => unknown;
      if (tally) recordRoundTrips(tally, roundTrips);
      const target = client as unknown as Record<string, (...a: unknown[]) => unknown>;
      return target[method]!(...args, (tx: PgClient) => fn(instrument(tx, prepare, tally)));
    };
  const begin = transactional('begin', 2);
  const savepoint = transactional('savepoint', 1);
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'unsafe') return unsafe;
      if (prop === 'begin') return begin;
      if (prop === 'savepoint') return savepoint;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Drizzle's session of a database: its client and options, and how to make another like it. */
type SessionOf = {
  constructor: new (client: unknown, dialect: unknown, schema: unknown, options: object) => unknown;
  schema: unknown;
  options: object;
};

/**
 * A counting twin of `base` (see `tallied`): the same database object in every respect but its
 * session, which runs on `client` and logs each statement into `tally`. Drizzle makes a
 * transaction's session from its parent's options, so statements inside transactions count too.
 * (`db.query.*`, the relational builders, keep the base session: nothing here uses them.)
 */
function twinOf(
  base: Database,
  client: unknown,
  tally: StatementTally,
  roundTripPerStatement: boolean,
): Database {
  const internals = base as unknown as { session: SessionOf; dialect: unknown; _: object };
  const logger = {
    logQuery: (query: string) => {
      recordStatement(tally, query);
      if (roundTripPerStatement) recordRoundTrips(tally, 1);
    },
  };
  const { session: baseSession } = internals;
  const session = new baseSession.constructor(client, internals.dialect, baseSession.schema, {
    ...baseSession.options,
    logger,
  });
  const twin = Object.create(base) as { session: unknown; _: object };
  twin.session = session;
  twin._ = { ...internals._, session };
  return twin as unknown as Database;
}

/** A Drizzle database on a postgres.js client, registered for `tallied`. */
function postgresDatabase(client: PgClient, prepare: boolean): Database {
  const db = drizzlePostgres({ client: instrument(client, prepare), schema }) as unknown as Database;
  registerTallying(db, (tally) => twinOf(db, instrument(client, prepare, tally), tally, false));
  return db;
}

/** A URL without its password, for logs and labels. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

type PostgresOptions = NonNullable<Parameters<typeof postgres>[1]>;

/**
 * postgres.js options shared by every client of one handle. `prepare` is the client-wide default:
 * it also covers what postgres.js sends by itself (a transaction's `commit` and `rollback`, tagged
 * templates), not only Drizzle's queries. Through a transaction pooler a `commit` prepared on another
 * server connection fails to bind, postgres.js re-sends it, and the server — its transaction aborted
 * by the failure — answers the COMMIT with a ROLLBACK: the transaction reports success and its writes
 * are gone (the topology test shows it).
 *
 * Through a transaction pooler (`session` false) nothing is pipelined either: postgres.js sends the
 * next query on a busy connection before the previous one's ReadyForQuery (whenever every connection
 * is busy). PgBouncer 1.18 hands the server connection back to its pool on that ReadyForQuery and
 * drops the server's answers to the query already sent after it ("got packet … from server when not
 * linked"): that query waits forever — a request hung until its deadline, one in a 64-way race
 * (the topology test shows it). `max_pipeline: 0` sends a query only on an idle connection.
 */
function clientOptions(options: DbOptions, max: number, session: boolean, prepare: boolean): PostgresOptions {
  const settings = {
    // A stuck query surfaces as an error instead of a hung request...
    statement_timeout: options.statementTimeoutMs ?? 8000,
    // ...and a transaction whose client vanished (request past its deadline, process killed)
    // releases its row locks instead of blocking every later writer of those rows.
    idle_in_transaction_session_timeout: 30_000,
  };
  return {
    max,
    prepare,
    ...(session ? {} : { max_pipeline: 0 }),
    onnotice: () => {},
    // An unreachable or frozen server fails the connection attempt instead of queueing forever.
    connect_timeout: (options.connectTimeoutMs ?? 3000) / 1000,
    // Through a transaction-mode pooler only what PgBouncer tracks may be a startup parameter.
    connection: session ? { application_name: 'quickeats', ...settings } : { application_name: 'quickeats' },
  } as PostgresOptions;
}

/**
 * A replica's lag, measured against the primary: WAL bytes it has not replayed, and for how long —
 * the time since the primary was first seen past the position the replica has replayed (each
 * measurement records the primary's position, so the figure is accurate to the measuring period).
 * `pg_last_xact_replay_timestamp()` alone would call an idle, caught-up replica "minutes behind".
 */
function lagMeter(primary: PgClient, replica: PgClient): () => Promise<ReplicaLag> {
  const seen: { at: number; position: bigint }[] = [];
  return async () => {
    const [p] = await primary`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as position`;
    const at = Date.now();
    const [r] = await replica`select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::text as position`;
    if (r?.position == null) throw new Error('not a streaming replica (no WAL replay position)');
    const primaryAt = BigInt(String(p!.position).split('.')[0]!);
    const replayed = BigInt(String(r.position).split('.')[0]!);
    seen.push({ at, position: primaryAt });
    // Only what the replica has not replayed yet still tells a time; keep the history short.
    while (seen.length > 1 && seen[0]!.position <= replayed) seen.shift();
    if (seen.length > 1000) seen.splice(0, seen.length - 1000);
    const bytes = primaryAt > replayed ? Number(primaryAt - replayed) : 0;
    const behindSince = seen.find((s) => s.position > replayed)?.at;
    return { bytes, seconds: bytes > 0 && behindSince !== undefined ? (Date.now() - behindSince) / 1000 : 0 };
  };
}

export function createDb(options: DbOptions = {}): DbHandle {
  if (options.url) {
    const max = options.maxConnections ?? 10;
    const pooled = options.pooled ?? false;
    const prepare = options.preparedStatements ?? !pooled;
    const client = postgres(options.url, clientOptions(options, max, !pooled, prepare));
    // Sessions (LISTEN, the migration lock) need a connection of their own, not one a pooler
    // hands to somebody else after each transaction: opened on first use only.
    const directUrl = options.directUrl ?? (pooled ? undefined : options.url);
    let direct: PgClient | undefined;
    const session = (): PgClient => {
      if (!directUrl) {
        throw new Error('a transaction-mode pooler needs a direct connection for sessions (directUrl)');
      }
      if (directUrl === options.url) return client;
      direct ??= postgres(directUrl, clientOptions(options, 3, true, true));
      return direct;
    };
    const poolStats = trackPoolDemand(client, max);
    const db = postgresDatabase(client, prepare);
    const replicas = (options.replicaUrls ?? []).map((url): ReplicaHandle => {
      const replica = postgres(url, clientOptions(options, max, !pooled, prepare));
      return {
        db: postgresDatabase(replica, prepare),
        label: redactUrl(url),
        lag: lagMeter(client, replica),
        close: () => replica.end({ timeout: 5 }),
      };
    });
    return {
      db,
      driver: 'postgres',
      poolStats,
      replicas,
      migrate: async (underLock) => {
        // Concurrent API processes may start together: serialise migrations (and the seed that
        // follows them) on an advisory lock, held by a session (never through a transaction pooler).
        const sessionClient = session();
        // The lock's session is then one of the pool's connections, and the migrator needs another:
        // with a pool of one, the migrator would wait for it forever.
        if (sessionClient === client && max < 2)
          throw new Error(
            `migrate() needs a pool of at least 2 connections (maxConnections is ${max}): one holds the migration lock while the migrations run on another`,
          );
        const lock = await sessionClient.reserve();
        try {
          // Waiting for another process's migrations and seed may take longer than a statement may.
          await lock`set statement_timeout = 0`;
          await lock`select pg_advisory_lock(7242001)`;
          // The migrator's own statements (DDL, its bookkeeping table) run on the direct connection too.
          const migrator = sessionClient === client ? db : drizzlePostgres({ client: sessionClient, schema });
          await migratePostgres(migrator as never, { migrationsFolder: MIGRATIONS_FOLDER });
          await underLock?.();
        } finally {
          await lock`select pg_advisory_unlock(7242001)`;
          await lock`reset statement_timeout`;
          lock.release();
        }
      },
      ping: async () => {
        await client`select 1`;
      },
      listen: async (channel, onNotify, onListen) => {
        // postgres.js holds one extra connection for all listeners of this client (a session).
        const { unlisten } = await session().listen(channel, onNotify, onListen);
        return unlisten;
      },
      close: async () => {
        await Promise.all([
          client.end({ timeout: 5 }),
          direct?.end({ timeout: 5 }),
          ...replicas.map((r) => r.close()),
        ]);
      },
    };
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir, { startParams: PGLITE_START_PARAMS });
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  // PGlite runs in-process: each statement is one exchange with the engine.
  registerTallying(db, (tally) => twinOf(db, client, tally, true));
  return {
    db,
    driver: 'pglite',
    migrate: async (underLock) => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      await underLock?.();
    },
    ping: async () => {
      await client.query('select 1');
    },
    replicas: [],
    listen: async (channel, onNotify, onListen) => {
      // Embedded: one process, one connection; NOTIFY reaches listeners of this same client.
      const unlisten = await client.listen(channel, onNotify);
      onListen?.();
      return unlisten;
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql…)`. */
export async function executeRows<T extends Record<string, unknown>>(
  db: Database | Tx,
  query: Parameters<Database['execute']>[0],
): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/** postgres.js answers an array of rows, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  const rows = result as T[] | { rows: T[] };
  return Array.isArray(rows) ? rows : rows.rows;
}

const dialect = new PgDialect();

/**
 * A raw statement's text and parameter layout, compiled once: its varying values are
 * `sql.placeholder(name)`s, filled per run by {@link executeCompiled}. Drizzle otherwise renders a
 * statement's text from its SQL tree on every `execute` (for the transition statement, a few percent
 * of a worker's CPU and much of its garbage), though the text of one statement shape never changes.
 */
export function compileStatement(query: SQL): Query {
  return dialect.sqlToQuery(query);
}

/** A placeholder of a compiled statement, standing where a value of type `T` goes. */
export const slot = <T>(name: string) => sql.placeholder(name) as unknown as T;

/**
 * Statements compiled once per shape (see {@link compileStatement}): `compiled(shape, build)` builds
 * and compiles the statement the first time a shape is asked for. Shapes must come from a bounded
 * set (enums, counts under a validated maximum), never from request values.
 */
export function statementCache(): (shape: string, build: () => SQL) => Query {
  const compiled = new Map<string, Query>();
  return (shape, build) => {
    let query = compiled.get(shape);
    if (!query) {
      query = compileStatement(build());
      compiled.set(shape, query);
    }
    return query;
  };
}

/** Rows of a {@link compileStatement}d statement run with `values` for its placeholders. */
export async function executeCompiled<T extends Record<string, unknown>>(
  db: Database | Tx,
  query: Query,
  values: Record<string, unknown>,
): Promise<T[]> {
  return rowsOf<T>(await db._.session.prepareQuery(query, undefined, undefined, false).execute(values));
}

/** Rows of a statement compiled with its values bound (no placeholders left): run as it is, not rendered again. */
export function executeQuery<T extends Record<string, unknown>>(
  db: Database | Tx,
  query: Query,
): Promise<T[]> {
  return executeCompiled<T>(db, query, {});
}

export interface PgErrorInfo {
  /** SQLSTATE, e.g. `23505` unique violation, `23514` check violation. */
  code: string;
  constraint?: string | undefined;
}

/** The PostgreSQL error behind a (possibly Drizzle-wrapped) error, or null when it is not one. */
export function pgErrorOf(error: unknown): PgErrorInfo | null {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const candidate = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      const constraint = candidate.constraint_name ?? candidate.constraint;
      return { code: candidate.code, constraint: typeof constraint === 'string' ? constraint : undefined };
    }
  }
  return null;
}
