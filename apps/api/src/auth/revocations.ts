/**
 * Fresh roles and revoked tokens (issue 12), with nothing on the request's hot path but a map
 * lookup. Every access token carries the token version of its user (`tv`); a change of role,
 * password or disabled state, a sign-out or an admin's revocation raises `users.token_version`
 * (the `users_auth_change` trigger does it however the row is written) and stamps
 * `auth_changed_at`. A token whose version is below its user's current one is refused.
 *
 * A process only needs the users changed within a token's lifetime: a token issued before an older
 * change has expired by now. So each process keeps that (small) set in memory: loaded at start,
 * reloaded when the trigger's NOTIFY wakes it (any process's change reaches every process within
 * milliseconds), on each reconnect of its listener and on a safety poll
 * (`AUTH_REVOCATION_POLL_MS`, ≤ 60 s) — a lost notification costs at most one poll interval.
 * A change made through this process is applied at once, before its answer is sent.
 */
import { type Database, type DbHandle, users } from '@quickeats/db';
import type { Actor } from '@quickeats/domain';
import { and, gt, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from '../logger';

/** The channel the `users_auth_change` trigger notifies (migration 0004_fresh_roles). */
export const USER_AUTH_CHANNEL = 'quickeats_user_auth';

/** Extra time a change is remembered past the token lifetime (clock skew between database and API). */
const SKEW_MARGIN_MS = 5 * 60_000;

/** What a process knows of one recently changed user. */
export interface AuthState {
  tokenVersion: number;
  disabled: boolean;
  /** When the version last rose (database clock), ms. */
  changedAt: number;
}

/** Why a token is refused, or null when it may be used. */
export type TokenRefusal = 'revoked' | 'disabled' | null;

export interface TokenRevocationsOptions {
  db: Database;
  listen: DbHandle['listen'];
  logger: Logger;
  /** Longest lifetime of a token (AUTH_TOKEN_TTL_SECONDS): older changes no longer matter. */
  tokenTtlSeconds: number;
  /** Safety re-read even without a notification. */
  pollIntervalMs: number;
}

export class TokenRevocations {
  private readonly changed = new Map<string, AuthState>();
  /** Open streams (SSE, subscriptions) to end when their token is refused. */
  private readonly watchers = new Map<string, Set<{ version: number; abort: () => void }>>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private loadedOnce = false;

  constructor(private readonly options: TokenRevocationsOptions) {}

  /** Loads the recent changes and starts following them (server start, before any request). */
  async start(): Promise<void> {
    await this.load();
    this.unlisten = await this.options.listen(
      USER_AUTH_CHANNEL,
      () => this.refresh(),
      () => this.refresh(),
    );
    this.timer = setInterval(() => this.refresh(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** True once the recent changes were loaded (readiness). */
  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** Whether a token of `userId` issued at `tokenVersion` may be used: a map lookup. */
  check(userId: string, tokenVersion: number): TokenRefusal {
    const state = this.changed.get(userId);
    if (!state) return null;
    if (state.disabled) return 'disabled';
    return tokenVersion < state.tokenVersion ? 'revoked' : null;
  }

  /** Applies a change this process just committed (its answer must not wait for the NOTIFY). */
  apply(userId: string, state: AuthState): void {
    const known = this.changed.get(userId);
    if (known && known.tokenVersion > state.tokenVersion) return;
    this.changed.set(userId, state);
    const watchers = this.watchers.get(userId);
    if (!watchers) return;
    for (const w of [...watchers]) if (this.check(userId, w.version) !== null) w.abort();
  }

  /**
   * An AbortSignal that aborts once a token of `actor` at `tokenVersion` is refused: open streams
   * end (the client's reconnect is then refused with 401). `release` stops watching.
   */
  watch(actor: Actor, tokenVersion: number): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const entry = { version: tokenVersion, abort: () => controller.abort() };
    const set = this.watchers.get(actor.userId) ?? new Set();
    this.watchers.set(actor.userId, set);
    set.add(entry);
    const release = () => {
      set.delete(entry);
      if (set.size === 0 && this.watchers.get(actor.userId) === set) this.watchers.delete(actor.userId);
    };
    controller.signal.addEventListener('abort', release, { once: true });
    if (this.check(actor.userId, tokenVersion) !== null) controller.abort();
    return { signal: controller.signal, release };
  }

  /** Re-read the recent changes (coalesced: one read at a time, one more if asked meanwhile). */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    // On the process's own database: a request that triggers the reload never counts its statements.
    this.loading = (async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again && !this.closed);
      } catch (err) {
        // The last known changes stay in force; the next notification or poll tries again.
        this.options.logger.warn({ err }, 'reloading token revocations failed');
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private async load(): Promise<void> {
    const windowMs = this.options.tokenTtlSeconds * 1000 + SKEW_MARGIN_MS;
    const rows = await this.options.db
      .select({
        id: users.id,
        tokenVersion: users.tokenVersion,
        disabledAt: users.disabledAt,
        authChangedAt: users.authChangedAt,
      })
      .from(users)
      .where(
        and(
          isNotNull(users.authChangedAt),
          gt(users.authChangedAt, sql`now() - make_interval(secs => ${windowMs / 1000})`),
        ),
      );
    for (const row of rows)
      this.apply(row.id, {
        tokenVersion: row.tokenVersion,
        disabled: row.disabledAt !== null,
        changedAt: row.authChangedAt!.getTime(),
      });
    // Changes older than any live token no longer refuse anything.
    const horizon = Date.now() - windowMs;
    for (const [id, state] of this.changed) if (state.changedAt < horizon) this.changed.delete(id);
    this.loadedOnce = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    await this.loading;
  }
}
