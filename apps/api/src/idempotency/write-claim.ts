/**
 * An Idempotency-Key claimed by the write itself (issue 15), for a request whose whole effect is one
 * statement: a transition whose client named its version, and on the Postgres store a create. No
 * lease is taken first: the transition statement reads the key's record (locking it), changes
 * nothing when a live one exists, and otherwise changes the order, appends its event and inserts the
 * completed record, all at once. So the first request and its replays are each ONE round trip, and
 * neither store's lease is touched. A create reads the key's record with its menu (a replay is
 * answered from it, 1 round trip) and its insert claims the key the same way (2 in all).
 *
 * A lease protects an effect that takes several steps (a charge, then its recording). A single
 * statement has no steps: it commits whole or not at all, so there is no "in flight" to see. Two
 * executions of one key meet in the database — on the order's row (the second one's conditional
 * update then matches nothing) or on the key's unique index (its statement rolls back) — and the
 * loser answers with the winner's record: every answer for one key is the same result, as with a
 * lease.
 *
 * The record's home is Postgres in both stores, so both claim the same way; a request on the Upstash
 * store that does take a lease (the same key on another path) still meets this record there.
 */
import type { Database } from '@quickeats/db';
import { judgeIdempotency } from '@quickeats/domain';
import type { FoldedRecord } from '../services/order-store';
import type { CommitHook } from '../services/orders.service';
import type { Render } from './commit-hook';
import { insertCompleted, selectRecord } from './postgres-records';
import {
  type FoundRecord,
  IdempotencyLeaseLost,
  type IdempotencyScope,
  type IdempotencyTiming,
  type KeyState,
  type StoredResponse,
} from './store';
import { stateFromVerdict } from './verdict';

/** How a claimed key ended, for the metrics: it ran (`new`), or what it met instead. */
export type ClaimOutcome = 'new' | KeyState['kind'];
export type ClaimReport = (outcome: ClaimOutcome) => void;

export class WriteClaim {
  private stored: StoredResponse | undefined;

  constructor(
    private readonly db: Database,
    readonly scope: IdempotencyScope,
    readonly fingerprint: string,
    private readonly timing: IdempotencyTiming,
    private readonly report: ClaimReport = () => {},
  ) {}

  /** The answer the write stored with its change, once it committed. */
  get recorded(): StoredResponse | undefined {
    return this.stored;
  }

  /**
   * The commit hook for the service: the single statement inserts the record itself (`fold`); if the
   * service ever wrote in a transaction instead, the record is inserted there — as safe, one round
   * trip dearer.
   */
  commitWith(render: Render): CommitHook {
    const done = (response: StoredResponse) => {
      this.stored = response;
      this.report('new');
    };
    const hook: CommitHook = async (tx, order) => {
      const response = render(order);
      if (!(await insertCompleted(tx, this.scope, this.fingerprint, response, this.timing)))
        throw new IdempotencyLeaseLost();
      done(response);
    };
    const record: FoldedRecord = {
      mode: 'insert',
      ...this.scope,
      fingerprint: this.fingerprint,
      retentionSeconds: this.timing.retentionSeconds,
      status: render.status,
    };
    hook.fold = {
      record,
      committed: (order) => done(render(order)),
      lost: (found) => new IdempotencyLeaseLost(found),
    };
    return hook;
  }

  /** What the key holds for this request, once its write found the key taken. */
  async holder(lost: IdempotencyLeaseLost): Promise<KeyState> {
    return this.judged(lost.found ?? (await selectRecord(this.db, this.scope)));
  }

  /**
   * Store a final answer that no write carried (a 4xx: the statement changed nothing). Null when
   * stored; otherwise another execution recorded the key first, and this is what it holds.
   */
  async complete(response: StoredResponse): Promise<KeyState | null> {
    if (await insertCompleted(this.db, this.scope, this.fingerprint, response, this.timing)) {
      this.report('new');
      return null;
    }
    return this.judged(await selectRecord(this.db, this.scope));
  }

  private judged(found: FoundRecord | null): KeyState {
    const verdict = judgeIdempotency(found?.record ?? null, this.fingerprint, found?.now ?? new Date());
    // `execute`: the record is gone (purged) or its lease died since: the client may simply retry.
    const state: KeyState = verdict.kind === 'execute' ? { kind: 'free' } : stateFromVerdict(verdict);
    this.report(state.kind);
    return state;
  }
}
