/**
 * The default idempotency store: everything in Postgres. The in-flight lease is a row taken with
 * one upsert (the unique index decides who holds the key, across any number of API processes);
 * the final response replaces it inside the effect's own transaction, so "the effect happened" and
 * "its response is stored" commit together — a crash in between cannot separate them.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Tx } from '@quickeats/db';
import { judgeIdempotency } from '@quickeats/domain';
import type { FoldedRecord } from '../services/order-store';
import { completeHeld, deleteExpired, deleteHeld, selectRecord, takeOrRead } from './postgres-records';
import {
  type Admission,
  IdempotencyLeaseLost,
  type IdempotencyScope,
  type IdempotencyStore,
  type IdempotencyTiming,
  type KeyState,
  type Lease,
  type ReadAlong,
  type StoredResponse,
} from './store';
import { stateFromVerdict } from './verdict';
import { type ClaimReport, WriteClaim } from './write-claim';

export class PostgresIdempotencyStore implements IdempotencyStore {
  readonly kind = 'postgres';
  readonly claimsCreatesInWrite = true;

  constructor(
    private readonly db: Database,
    private readonly timing: IdempotencyTiming,
  ) {}

  onDatabase(db: Database): PostgresIdempotencyStore {
    return new PostgresIdempotencyStore(db, this.timing);
  }

  async admit(scope: IdempotencyScope, fingerprint: string, readAlong?: ReadAlong): Promise<Admission> {
    // A row that appears or vanishes between the upsert and its read makes one more round: bounded,
    // because each round either takes the key or finds a committed row.
    for (let round = 0; round < 5; round++) {
      const token = randomUUID();
      const result = await takeOrRead(this.db, scope, fingerprint, token, this.timing, readAlong);
      if (result.taken) {
        const lease = { scope, fingerprint, token };
        return readAlong
          ? { kind: 'acquired', lease, readAlong: { value: result.along } }
          : { kind: 'acquired', lease };
      }
      if (!result.found) continue;
      const verdict = judgeIdempotency(result.found.record, fingerprint, result.found.now);
      if (verdict.kind !== 'execute') return stateFromVerdict(verdict);
    }
    // Only reachable under pathological churn on one key: let the client come back.
    return { kind: 'in-flight', retryAfterSeconds: 1 };
  }

  async recordInTransaction(tx: Tx, lease: Lease, response: StoredResponse): Promise<void> {
    if (!(await completeHeld(tx, lease.scope, lease.token, response, this.timing)))
      throw new IdempotencyLeaseLost();
  }

  foldable(lease: Lease): FoldedRecord {
    const { userId, route, key } = lease.scope;
    const { retentionSeconds } = this.timing;
    return { mode: 'held', userId, route, key, token: lease.token, retentionSeconds };
  }

  claimInWrite(scope: IdempotencyScope, fingerprint: string, report?: ClaimReport): WriteClaim {
    return new WriteClaim(this.db, scope, fingerprint, this.timing, report);
  }

  async afterCommit(): Promise<void> {
    // Nothing to do: the record committed with the effect.
  }

  complete(lease: Lease, response: StoredResponse): Promise<boolean> {
    return completeHeld(this.db, lease.scope, lease.token, response, this.timing);
  }

  release(lease: Lease): Promise<void> {
    return deleteHeld(this.db, lease.scope, lease.token);
  }

  async peek(scope: IdempotencyScope, fingerprint: string): Promise<KeyState> {
    const found = await selectRecord(this.db, scope);
    if (!found) return { kind: 'free' };
    const verdict = judgeIdempotency(found.record, fingerprint, found.now);
    return verdict.kind === 'execute' ? { kind: 'free' } : stateFromVerdict(verdict);
  }

  purgeExpired(): Promise<number> {
    return deleteExpired(this.db);
  }
}
