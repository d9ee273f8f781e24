/**
 * The Upstash Redis idempotency store (SPEC: enabled by UPSTASH_REDIS_REST_URL/TOKEN). Redis holds
 * the in-flight lease and the response cache, so the hot path — the first request taking the key,
 * the concurrent duplicates told 409, the retries answered from the cache — never touches Postgres.
 * The final record is still written to Postgres, inside the effect's transaction, and the unique
 * index on (user_id, route, key) is the last guard: if Redis ever lost a lease (restart, eviction,
 * failover) and two executions ran, the second one's transaction fails on that index, rolls its
 * effect back, and answers with the first one's stored response.
 *
 * Each key is one Redis string holding a JSON record, kept for the retention period; the lease
 * expiry is a field judged against Redis's own clock (`TIME`), inside Lua scripts so that check and
 * write are one atomic step. The take rule mirrors the domain's `judgeIdempotency`.
 *
 * REST calls (issue 15: one per keyed request on the happy path): taking the key is the only one.
 * The final record goes to Postgres alone, in the change's own statement when the write is a single
 * one; Redis learns it lazily: a request that finds the key in flight (or takes over its expired
 * lease) reads Postgres, and when the holder had finished, replays its answer and copies it into
 * Redis with one more call, so every later replay is one call again.
 * A request whose whole effect is one statement takes no lease at all (`claimInWrite`, as in the
 * Postgres store): no REST call, and its replays are that one statement too.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Tx } from '@quickeats/db';
import { type IdempotencyRecord, judgeIdempotency } from '@quickeats/domain';
import type { Redis } from '@upstash/redis';
import { DependencyUnavailableError } from '../http/outage';
import type { FoldedRecord } from '../services/order-store';
import { deleteExpired, insertCompleted, selectRecord } from './postgres-records';
import {
  type Admission,
  IdempotencyLeaseLost,
  type IdempotencyScope,
  type IdempotencyStore,
  type IdempotencyTiming,
  type KeyState,
  type Lease,
  type StoredResponse,
} from './store';
import { stateFromVerdict } from './verdict';
import { type ClaimReport, WriteClaim } from './write-claim';

/** The JSON record stored under a key. Times are epoch milliseconds of the Redis clock. */
type RedisRecord =
  | { state: 'in-flight'; fingerprint: string; token: string; leaseExpiresAt: number }
  | {
      state: 'completed';
      fingerprint: string;
      status: number;
      headers: Record<string, string>;
      body: string;
    };

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] key · ARGV fingerprint, token, leaseMs, retentionMs → {taken, record, now, takeover}.
 * Taken when the key is free, when its lease expired for the same fingerprint (the holder died), or
 * when it is this very token (the client library retried a request whose answer was lost).
 */
const ADMIT = `${NOW_MS}
local current = redis.call('GET', KEYS[1])
local takeover = 0
if current then
  local r = cjson.decode(current)
  local mine = r.state == 'in-flight' and r.token == ARGV[2]
  local expired = r.state == 'in-flight' and r.fingerprint == ARGV[1] and tonumber(r.leaseExpiresAt) <= now
  if not mine and not expired then return {0, current, now, 0} end
  if expired then takeover = 1 end
end
local record = cjson.encode({state = 'in-flight', fingerprint = ARGV[1], token = ARGV[2],
  leaseExpiresAt = now + tonumber(ARGV[3])})
redis.call('SET', KEYS[1], record, 'PX', ARGV[4])
return {1, record, now, takeover}`;

/** KEYS[1] key · ARGV completed record, retentionMs. A completed record is final: never overwritten. */
const CACHE = `local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).state == 'completed' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** KEYS[1] key · ARGV token. Only the holder's own in-flight mark is removed. */
const RELEASE = `local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local r = cjson.decode(current)
if r.state == 'in-flight' and r.token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** KEYS[1] key → {record or false, now}. */
const READ = `${NOW_MS}
return {redis.call('GET', KEYS[1]), now}`;

export interface UpstashStoreOptions {
  /** Prepended to every Redis key, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
}

export class UpstashIdempotencyStore implements IdempotencyStore {
  readonly kind = 'upstash';
  readonly claimsCreatesInWrite = false;

  constructor(
    private readonly redis: Redis,
    private readonly db: Database,
    private readonly timing: IdempotencyTiming,
    private readonly options: UpstashStoreOptions,
  ) {}

  onDatabase(db: Database): UpstashIdempotencyStore {
    return new UpstashIdempotencyStore(this.redis, db, this.timing, this.options);
  }

  /** Readiness: Redis answers (Postgres, the other half, is checked on its own). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  /** One Redis key per scope; JSON-encoding the triple keeps `:` inside a route or key unambiguous. */
  redisKey(scope: IdempotencyScope): string {
    return `${this.options.keyPrefix}${JSON.stringify([scope.userId, scope.route, scope.key])}`;
  }

  async admit(scope: IdempotencyScope, fingerprint: string): Promise<Admission> {
    const token = randomUUID();
    const [taken, raw, now, takeover] = (await this.script(
      ADMIT,
      [this.redisKey(scope)],
      [fingerprint, token, String(this.timing.leaseSeconds * 1000), String(this.retentionMs())],
    )) as [number, string, number, number];
    const acquired: Admission = { kind: 'acquired', lease: { scope, fingerprint, token } };
    // A fresh key: the one call of the happy path.
    if (taken === 1 && takeover !== 1) return acquired;
    // The lease this request took over may belong to a holder that finished after all.
    if (taken === 1) return (await this.finishedInPostgres(scope, fingerprint)) ?? acquired;
    const verdict = judgeIdempotency(toRecord(JSON.parse(raw)), fingerprint, new Date(Number(now)));
    // In flight as far as Redis knows: its holder may have finished (Redis learns that lazily).
    if (verdict.kind === 'in-flight') {
      const finished = await this.finishedInPostgres(scope, fingerprint);
      if (finished) return finished;
    }
    // `execute` here would mean the script and the domain disagree on the take rule; answer
    // conservatively rather than run a request without holding its key.
    return verdict.kind === 'execute'
      ? { kind: 'in-flight', retryAfterSeconds: 1 }
      : stateFromVerdict(verdict);
  }

  /** The record Postgres holds when the key's request finished, copied into Redis for the next replays. */
  private async finishedInPostgres(scope: IdempotencyScope, fingerprint: string): Promise<Admission | null> {
    const stored = await selectRecord(this.db, scope);
    if (stored?.record.state !== 'completed') return null;
    await this.cache(scope, stored.record.fingerprint, stored.record);
    const verdict = judgeIdempotency(stored.record, fingerprint, stored.now);
    return verdict.kind === 'execute' ? null : stateFromVerdict(verdict);
  }

  foldable(lease: Lease): FoldedRecord {
    const { userId, route, key } = lease.scope;
    const { retentionSeconds } = this.timing;
    return { mode: 'insert', userId, route, key, fingerprint: lease.fingerprint, retentionSeconds };
  }

  /** Postgres alone, as in the Postgres store: the record's home, and the claim is its unique index. */
  claimInWrite(scope: IdempotencyScope, fingerprint: string, report?: ClaimReport): WriteClaim {
    return new WriteClaim(this.db, scope, fingerprint, this.timing, report);
  }

  async recordInTransaction(tx: Tx, lease: Lease, response: StoredResponse): Promise<void> {
    if (!(await insertCompleted(tx, lease.scope, lease.fingerprint, response, this.timing)))
      throw new IdempotencyLeaseLost();
  }

  async afterCommit(_lease: Lease, _response: StoredResponse): Promise<void> {
    // Nothing: Redis learns the final record lazily (see the file comment), saving a call.
  }

  complete(lease: Lease, response: StoredResponse): Promise<boolean> {
    return insertCompleted(this.db, lease.scope, lease.fingerprint, response, this.timing);
  }

  async release(lease: Lease): Promise<void> {
    await this.script(RELEASE, [this.redisKey(lease.scope)], [lease.token]);
  }

  /**
   * Postgres first — it holds every final record, even one the cache lost or never got because its
   * process died between commit and `afterCommit` — then the Redis lease.
   */
  async peek(scope: IdempotencyScope, fingerprint: string): Promise<KeyState> {
    const stored = await selectRecord(this.db, scope);
    if (stored?.record.state === 'completed') {
      const verdict = judgeIdempotency(stored.record, fingerprint, stored.now);
      if (verdict.kind === 'replay') await this.cache(scope, fingerprint, verdict);
      return verdict.kind === 'execute' ? { kind: 'free' } : stateFromVerdict(verdict);
    }
    const [raw, now] = (await this.script(READ, [this.redisKey(scope)], [])) as [string | null, number];
    if (!raw) return { kind: 'free' };
    const verdict = judgeIdempotency(toRecord(JSON.parse(raw)), fingerprint, new Date(Number(now)));
    return verdict.kind === 'execute' ? { kind: 'free' } : stateFromVerdict(verdict);
  }

  /** Redis expires its own keys; only the Postgres copies need purging. */
  purgeExpired(): Promise<number> {
    return deleteExpired(this.db);
  }

  /**
   * Runs one of the scripts above. Any failure is "the store could not answer": the Upstash client
   * throws the same UpstashError for a 5xx of an unreachable backend as for a command error (it
   * drops the HTTP status), and the scripts are fixed, so an error here is an outage to retry, not
   * something the client sent. It becomes 503 with Retry-After; its cause is logged.
   */
  private async script(lua: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.eval(lua, keys, args);
    } catch (err) {
      throw new DependencyUnavailableError('idempotency-store', { cause: err });
    }
  }

  private retentionMs(): number {
    return this.timing.retentionSeconds * 1000;
  }

  private async cache(scope: IdempotencyScope, fingerprint: string, response: StoredResponse): Promise<void> {
    const record: RedisRecord = {
      state: 'completed',
      fingerprint,
      status: response.status,
      headers: response.headers,
      body: response.body,
    };
    await this.script(CACHE, [this.redisKey(scope)], [JSON.stringify(record), String(this.retentionMs())]);
  }
}

function toRecord(r: RedisRecord): IdempotencyRecord {
  return r.state === 'completed'
    ? { state: 'completed', fingerprint: r.fingerprint, status: r.status, headers: r.headers, body: r.body }
    : { state: 'in-flight', fingerprint: r.fingerprint, leaseExpiresAt: new Date(Number(r.leaseExpiresAt)) };
}
