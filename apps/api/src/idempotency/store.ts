/**
 * The idempotency store port (SPEC "Idempotency"): where the in-flight lease and the final response of
 * an `Idempotency-Key` live. Two implementations behind this one interface — Postgres (default) and
 * Upstash Redis — run the same contract tests; the HTTP and tRPC layers only ever see this.
 *
 * The life of a key, for one holder:
 *   admit ─┬─ acquired ─→ (effect) ─┬─ recordInTransaction (in the effect's transaction) → afterCommit
 *          │                        ├─ complete  (a 4xx: nothing was changed, nothing to commit with)
 *          │                        └─ release   (a 5xx, so the retry runs again)
 *          └─ replay | mismatch | in-flight  (answered without running anything)
 *
 * A request whose whole effect is one statement (a transition whose client named its version) takes
 * no lease (`claimInWrite`): that statement is the claim. It finds the key's record and changes
 * nothing, or changes the order and inserts the completed record; a duplicate running at the same
 * moment waits on the order's row or the key's unique index and is answered with the winner's record.
 *
 * Every lease carries a fencing token: once a lease expired and another process took the key over,
 * the old holder's record/complete/release match nothing, so a late finisher can never overwrite
 * the outcome of the request that replaced it. Postgres unique constraints on (user, route, key)
 * are the last guard in both stores: the final record is always written to Postgres, in the same
 * transaction as the effect whenever there is one.
 */
import type { Database, Tx } from '@quickeats/db';
import { DomainError, type IdempotencyRecord, type Order } from '@quickeats/domain';
import type { SQL } from 'drizzle-orm';
import type { FoldedRecord } from '../services/order-store';
import type { CommitHook } from '../services/orders.service';
import type { ClaimReport, WriteClaim } from './write-claim';

/** What a key is scoped to (SPEC: the authenticated user and the route). */
export interface IdempotencyScope {
  userId: string;
  /** Method and concrete path: `POST /api/v2/orders/<id>/pay`, or `POST /trpc/orders.pay`. */
  route: string;
  /** The key as parsed from the header (structured-field quotes removed). */
  key: string;
}

/** A final response exactly as first sent: replays send these bytes and headers again. */
export interface StoredResponse {
  status: number;
  /** Only the headers that describe the result (Content-Type, ETag, Location). */
  headers: Record<string, string>;
  body: string;
}

/** Proof of holding a key: its scope, the fingerprint it was taken for, and the fencing token. */
export interface Lease {
  scope: IdempotencyScope;
  fingerprint: string;
  token: string;
}

/**
 * A read a store may run in the very statement that takes a lease (issue 15: a pay's order snapshot
 * rides on its key's lease, one round trip instead of two): a scalar subquery whose values are
 * slots (`slot('…')`, filled from `values`; not named like the lease's own), compiled once per `name`.
 * A store that cannot (Upstash: its lease is not in PostgreSQL) leaves it to the caller, who then
 * reads for itself.
 */
export interface ReadAlong {
  name: string;
  sql: SQL;
  values: Record<string, unknown>;
}

/** What a `ReadAlong` read, handed back with the lease (`value`: the subquery's result, null included). */
export interface ReadAlongValue {
  value: unknown;
}

/** What a request meets when it arrives with a key. */
export type Admission =
  /** `readAlong`: the value of the `ReadAlong` asked for, when the store ran it with the lease. */
  | { kind: 'acquired'; lease: Lease; readAlong?: ReadAlongValue }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-flight'; retryAfterSeconds: number };

/** What a key holds right now, for a request that did not (or no longer) hold it. */
export type KeyState = Exclude<Admission, { kind: 'acquired' }> | { kind: 'free' };

export interface IdempotencyStore {
  readonly kind: 'postgres' | 'upstash';
  /** The same store with its PostgreSQL statements on `db` (a request's counting twin, `tallied`). */
  onDatabase(db: Database): IdempotencyStore;
  /**
   * Take the key (first use, or a lease whose holder died), or say why not. With `readAlong`, the
   * store may run that read in the same statement (Postgres) and hand its value back with the lease.
   */
  admit(scope: IdempotencyScope, fingerprint: string, readAlong?: ReadAlong): Promise<Admission>;
  /**
   * Write the final response inside the transaction that commits the effect, so both commit or
   * neither. Throws `IdempotencyLeaseLost` when another holder already finished the key — the
   * caller lets it propagate, and the transaction (the duplicate effect) rolls back.
   */
  recordInTransaction(tx: Tx, lease: Lease, response: StoredResponse): Promise<void>;
  /**
   * The record as a single-statement write can complete it itself (Postgres: the lease row, by its
   * token; Upstash: a new row), so the change and its record take one round trip; absent when the
   * store cannot.
   */
  foldable?(lease: Lease): FoldedRecord;
  /**
   * A key claimed by the write itself, with no lease (issue 15): for a request whose whole effect is
   * one statement, that statement reads the key's record, changes nothing when one is live, and
   * otherwise inserts the completed record with the change — one round trip for the first request
   * and for its replays, in either store (the record's home is Postgres in both).
   */
  claimInWrite(scope: IdempotencyScope, fingerprint: string, report?: ClaimReport): WriteClaim;
  /**
   * Whether a create's key is claimed by its insert statement (`claimInWrite`; the statement that
   * reads the menu also reads the key's record) rather than leased first. Postgres: yes — its lease is
   * a round trip to PostgreSQL of its own, and the create is one statement. Upstash: no — its lease lives
   * in Redis, with the cache that answers a create's retries without PostgreSQL.
   */
  readonly claimsCreatesInWrite: boolean;
  /** Called once that transaction committed (Upstash: publish the response to the cache). */
  afterCommit(lease: Lease, response: StoredResponse): Promise<void>;
  /** Store a final response that no effect transaction carried (a 4xx). False: the key is no longer ours. */
  complete(lease: Lease, response: StoredResponse): Promise<boolean>;
  /** Give the key up (5xx or a lost lease) so that the next request with it runs again. */
  release(lease: Lease): Promise<void>;
  /** What a request with this fingerprint would meet now, without taking the key. */
  peek(scope: IdempotencyScope, fingerprint: string): Promise<KeyState>;
  /** Delete records past their retention; returns how many. */
  purgeExpired(): Promise<number>;
  /** Readiness probe of a store outside PostgreSQL (Upstash); absent when PostgreSQL is the store. */
  ping?(): Promise<void>;
}

export interface IdempotencyTiming {
  /** How long an in-flight mark protects its key before another process may take it over. */
  leaseSeconds: number;
  /** How long a final response is kept for replay (SPEC: at least 24 h). */
  retentionSeconds: number;
}

/** A key's record as read by the database, with the database's clock (the one every process shares). */
export interface FoundRecord {
  record: IdempotencyRecord;
  now: Date;
}

/**
 * Thrown by `recordInTransaction` when the lease was lost: another holder recorded the key first;
 * and by a write that claims its key (`claimInWrite`) when the key was not free, with the record the
 * statement found (`found`) when it read one. A 409 domain error, so that if it ever escaped the
 * idempotency layer it would still render as "in flight, retry" rather than as a 500.
 */
export class IdempotencyLeaseLost extends DomainError {
  constructor(readonly found?: FoundRecord) {
    super('IDEMPOTENCY_IN_FLIGHT', 'Another request with this Idempotency-Key finished first; retry', {
      retryAfterSeconds: 1,
    });
    this.name = 'IdempotencyLeaseLost';
  }
}

/** What a handler sees on `c.var.idempotency` while it holds a key. */
export interface RequestIdempotency {
  /** A commit hook that renders the answer from the changed order and stores it with the change. */
  commitWith(render: (order: Order) => StoredResponse): CommitHook;
  /** The value of the route's `readAlong`, when the store read it with the lease. */
  readAlong?: ReadAlongValue | undefined;
}
