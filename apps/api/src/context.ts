/**
 * What the app is built from (`AppDeps`, injected so tests bring their own database) and the typed
 * per-request variables middleware sets on Hono's context.
 */
import { type Database, type DbHandle, type StatementTally, tallied } from '@quickeats/db';
import type { Actor, PaymentProvider } from '@quickeats/domain';
import type { TokenRevocations } from './auth/revocations';
import type { Config } from './config';
import type { EventHub } from './events/hub';
import type { IdempotencyStore, RequestIdempotency } from './idempotency/store';
import type { Logger } from './logger';
import type { Metrics } from './observability/metrics';
import type { RateLimits } from './rate-limit';
import type { ReplicaReads } from './reads/replica-reads';
import type { WebhookQueuePort } from './webhooks/tx';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Health checks and shutdown. */
  dbHandle: Pick<DbHandle, 'ping' | 'driver' | 'poolStats'>;
  logger: Logger;
  /** Order list/get reads through streaming replicas (primary fallback); absent → `db`. */
  replicaReads?: ReplicaReads | undefined;
  paymentProvider: PaymentProvider;
  /** Where Idempotency-Key leases and stored responses live (Postgres, or Upstash Redis). */
  idempotency: IdempotencyStore;
  /** This process's follower of the order event outbox (SSE, tRPC subscriptions). */
  events: EventHub;
  /** The webhook queue when this process delivers webhooks (PostgreSQL); undefined on the embedded database. */
  webhookQueue?: WebhookQueuePort | undefined;
  /** Sign-in and write limits (Redis with UPSTASH_REDIS_REST_*, else per process). */
  rateLimits: RateLimits;
  /** Users whose tokens were recently revoked (role change, disabled, sign-out): checked per request. */
  revocations: TokenRevocations;
  now: () => Date;
  /** True once the process began its graceful drain (SIGTERM): `/readyz` answers 503. */
  draining?: () => boolean;
  /** Prometheus metrics (`NO_METRICS` when off): record through it, never through a global. */
  metrics: Metrics;
}

/**
 * The dependencies as one request uses them: every statement it runs on the primary, a replica
 * or the idempotency store's tables is counted in `tally` (`X-SQL-Statements`, the access log,
 * the per-request metrics). Everything else is the app's own.
 */
export function requestDeps(deps: AppDeps, tally: StatementTally): AppDeps {
  const db = tallied(deps.db, tally);
  const replicas = deps.replicaReads;
  return {
    ...deps,
    db,
    idempotency: deps.idempotency.onDatabase(db),
    replicaReads: replicas && {
      ...replicas,
      read: (read, fresh) => replicas.read((replica) => read(tallied(replica, tally)), fresh),
    },
  };
}

export interface AppEnv {
  Variables: {
    /** The app's dependencies for this request (`requestDeps`): handlers use these, not the app's. */
    deps: AppDeps;
    requestId: string;
    log: Logger;
    actor: Actor;
    /** The token version of the caller's token (auth/revocations.ts). */
    tokenVersion: number;
    /** Set while a POST holds its Idempotency-Key (absent when the request sent none). */
    idempotency: RequestIdempotency | undefined;
    /** Set by surfaces serving many operations on one path (tRPC, GraphQL): see `routeLabel`. */
    routeLabel: string | undefined;
  };
}
