/**
 * One event hub per API process: it follows the outbox and fans events out to this process's
 * subscribers (SSE streams, tRPC subscriptions). PostgreSQL LISTEN/NOTIFY is only the wake-up —
 * the `order_events` trigger notifies on commit, and any process's hub wakes and reads the outbox;
 * the outbox is the truth. A missed notification (a dropped listener) costs latency, never events:
 * the hub re-reads on every (re)connect of its listener and on a slow safety poll.
 *
 * Each subscriber has its own cursor. Recent events stay in memory, so live subscribers cost no
 * query; one that resumes from further back (Last-Event-ID) or fell behind the window reads the
 * outbox itself until it reaches the window. Either way it sees the log in position order, each
 * event once.
 *
 * The hub reads on a wake-up only while somebody waits for events (a live subscriber, the webhook
 * fan-out with endpoints to serve); otherwise it only notes that it is behind, and the next reader
 * catches up first — from the last window's worth of the outbox when it fell further behind than
 * that. Reading on every commit in every process cost each write an outbox query per API process,
 * for nobody (5–30 % of an API worker's CPU per accept, issue 15).
 */
import type { Database, DbHandle } from '@quickeats/db';
import { DomainError, type OrderStreamEvent } from '@quickeats/domain';
import type { Logger } from '../logger';
import { ORDER_EVENTS_CHANNEL, type OutboxEvent, outboxHorizon, readOutbox } from './outbox';

export interface EventHubOptions {
  db: Database;
  listen: DbHandle['listen'];
  logger: Logger;
  /** Re-read the outbox this often even without a notification (a safety net, not the mechanism). */
  pollIntervalMs?: number;
  /** Events kept in memory for subscribers that are behind. */
  windowSize?: number;
  /** Called with every batch read from the outbox (metrics: how many, how late). */
  onBatch?: (events: readonly OutboxEvent[]) => void;
}

export interface SubscribeOptions {
  /** Start after this position (Last-Event-ID); default: the live head (only what happens from now). */
  after?: bigint | undefined;
  /** Which events this subscriber may and wants to see. */
  filter: (event: OutboxEvent) => boolean;
  /** Ends the subscription. */
  signal?: AbortSignal | undefined;
}

const READ_BATCH = 1000;
const DEFAULT_WINDOW = 10_000;

export class EventHub {
  private head = 0n;
  /** Every event in (windowBase, head], in position order. */
  private window: OutboxEvent[] = [];
  private windowBase = 0n;
  private waiters = new Set<() => void>();
  /** Woken while nobody waited: the outbox may hold events after `head` that were not read yet. */
  private behind = false;
  /** Wake-ups so far, and who waits for the next one (see `wokenSince`). */
  private wakeCount = 0;
  private wakeWatchers = new Set<() => void>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private started: Promise<void> | undefined;

  constructor(private readonly options: EventHubOptions) {}

  /**
   * Starts the hub on first use (a process nobody subscribes to holds no listener): resolves once it
   * knows the head and listens for wake-ups. A failed start is retried by the next call.
   */
  ready(): Promise<void> {
    if (this.closed) return Promise.resolve();
    // Started by whichever request subscribes first, but it belongs to the process, not that request:
    // it reads on the process's own database, so no request's statement tally counts it.
    this.started ??= this.start().catch((err: unknown) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  /** True once `close()` was called (the process is shutting down). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The position up to which this hub has read the outbox. */
  get position(): bigint {
    return this.head;
  }

  private async start() {
    this.head = await outboxHorizon(this.options.db);
    this.windowBase = this.head;
    this.unlisten = await this.options.listen(
      ORDER_EVENTS_CHANNEL,
      () => this.wake(),
      // (Re)connected: whatever was notified while the listener was down is read now.
      () => this.wake(),
    );
    const interval = this.options.pollIntervalMs ?? 5000;
    this.timer = setInterval(() => this.wake(), interval);
    this.timer.unref();
  }

  /**
   * Something was committed (a notification, a reconnect of the listener, the safety poll): read the
   * outbox now if anybody waits for events, else remember that the hub is behind.
   */
  wake(): void {
    if (this.closed) return;
    this.wakeCount++;
    this.notifyWakeWatchers();
    if (this.waiters.size === 0) {
      this.behind = true;
      return;
    }
    void this.readNow();
  }

  /** How many wake-ups the hub has had: with `wokenSince`, "anything committed since I looked?". */
  get wakes(): number {
    return this.wakeCount;
  }

  /**
   * Resolves once the hub had a wake-up after the `seen`-th (see `wakes`), the hub closes, or
   * `signal` aborts — without reading the outbox: for a consumer that only needs to know that
   * something was committed (the webhook fan-out while no endpoint exists).
   */
  wokenSince(seen: number, signal?: AbortSignal): Promise<void> {
    if (this.wakeCount > seen || this.closed || signal?.aborted) return Promise.resolve();
    return enlist(this.wakeWatchers, signal);
  }

  private notifyWakeWatchers() {
    callAll(this.wakeWatchers);
  }

  /** Read the outbox now (coalesced: one read at a time, one more if woken meanwhile). */
  private readNow(): Promise<void> {
    const catchingUp = this.behind;
    this.behind = false;
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (catchingUp ? this.skipToWindow() : Promise.resolve())
      .then(() => this.pump())
      .catch((err: unknown) => {
        // The next reader tries again.
        this.behind = true;
        this.options.logger.error({ err }, 'reading the order event outbox failed');
      })
      .finally(() => {
        this.pumping = undefined;
        // Asked for between the pump's last look and now: read again.
        if (this.again && !this.closed) void this.readNow();
      });
    return this.pumping;
  }

  /**
   * After an unwatched stretch longer than the window, start the window at the outbox's last
   * `windowSize` positions instead of reading the whole stretch into memory only to drop it: the
   * first subscriber after a quiet day would otherwise wait for that read. Anybody resuming from
   * further back reads the outbox itself, as it does from behind the window.
   */
  private async skipToWindow() {
    const size = BigInt(this.options.windowSize ?? DEFAULT_WINDOW);
    const horizon = await outboxHorizon(this.options.db);
    if (horizon - this.head <= size) return;
    this.window = [];
    this.head = this.windowBase = horizon - size;
    this.notifyWaiters();
  }

  private async pump() {
    do {
      this.again = false;
      for (;;) {
        const batch = await readOutbox(this.options.db, this.head, READ_BATCH);
        if (batch.length > 0) {
          this.window.push(...batch);
          this.head = batch[batch.length - 1]!.position;
          const excess = this.window.length - (this.options.windowSize ?? DEFAULT_WINDOW);
          if (excess > 0) this.windowBase = this.window.splice(0, excess).at(-1)!.position;
          this.options.onBatch?.(batch);
          this.notifyWaiters();
        }
        if (batch.length < READ_BATCH || this.closed) break;
      }
    } while (this.again && !this.closed);
  }

  private notifyWaiters() {
    callAll(this.waiters);
  }

  /** Resolves when the head passes `cursor`, the hub closes, or `signal` aborts. */
  private waitBeyond(cursor: bigint, signal: AbortSignal | undefined): Promise<void> {
    if (this.head > cursor || this.closed || signal?.aborted) return Promise.resolve();
    const waited = enlist(this.waiters, signal);
    // Wake-ups that came while nobody waited were not read: read them now.
    if (this.behind) void this.readNow();
    return waited;
  }

  /**
   * Up to `limit` events after `after`, in position order: from memory when recent, else from the
   * outbox (the webhook fan-out reads through here). Empty when nothing after it is committed yet.
   */
  async read(after: bigint, limit = READ_BATCH): Promise<OutboxEvent[]> {
    await this.ready();
    if (this.behind) await this.readNow();
    if (after >= this.windowBase) return this.windowAfter(after).slice(0, limit);
    return readOutbox(this.options.db, after, limit);
  }

  /** Resolves once events after `cursor` were read, the hub closes, or `signal` aborts. */
  waitFor(cursor: bigint, signal?: AbortSignal): Promise<void> {
    return this.waitBeyond(cursor, signal);
  }

  /** Events in the window after `cursor` (the caller checked `cursor >= windowBase`). */
  private windowAfter(cursor: bigint): OutboxEvent[] {
    let lo = 0;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.window[mid]!.position <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return this.window.slice(lo, lo + READ_BATCH);
  }

  /**
   * The events after `after` that pass `filter`, in position order, each once, until `signal` aborts.
   * When the hub closes (shutdown) it throws SERVICE_UNAVAILABLE: a subscription is never "complete",
   * so its client must reconnect (to another process) and resume, not stop.
   *
   * Resolves once the subscription's start is fixed: a live one (no `after`) gets every event
   * committed from then on, so a stream may tell its client it is connected as soon as this returns.
   */
  async subscribe(options: SubscribeOptions): Promise<AsyncGenerator<OrderStreamEvent, void, undefined>> {
    await this.ready();
    // The live head is the outbox's, not where the hub stopped reading while nobody waited.
    if (options.after === undefined && this.behind) await this.readNow();
    return this.follow(options.after ?? this.head, options);
  }

  private async *follow(
    after: bigint,
    { filter, signal }: SubscribeOptions,
  ): AsyncGenerator<OrderStreamEvent, void, undefined> {
    let cursor = after;
    const shutDown = () =>
      new DomainError('SERVICE_UNAVAILABLE', 'This API process is shutting down; reconnect');
    while (!signal?.aborted) {
      if (this.closed) throw shutDown();
      const batch =
        cursor >= this.windowBase
          ? this.windowAfter(cursor)
          : await readOutbox(this.options.db, cursor, READ_BATCH);
      if (batch.length === 0) {
        await this.waitBeyond(cursor, signal);
        continue;
      }
      for (const e of batch) {
        cursor = e.position;
        if (filter(e)) yield e.event;
        if (signal?.aborted) return;
        if (this.closed) throw shutDown();
      }
    }
  }

  /** Stop reading and end every subscription (their streams close; clients reconnect elsewhere). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.notifyWaiters();
    this.notifyWakeWatchers();
    await this.started?.catch(() => {});
    await this.unlisten?.().catch(() => {});
    await this.pumping;
  }
}

/** Resolves once `callAll(set)` runs (the entry leaves the set) or `signal` aborts. */
function enlist(set: Set<() => void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      set.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    set.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Calls and removes every entry `enlist` put in `set`. */
function callAll(set: Set<() => void>): void {
  const entries = [...set];
  set.clear();
  for (const entry of entries) entry();
}
