/// <reference path="../types/pg.d.ts" />
/**
 * The webhook queue: pg-boss on the same PostgreSQL, over the one direct connection factory
 * (`createDirectPool`). Jobs only wake deliveries up — the `webhook_deliveries` row says whether an
 * attempt is due — so a job enqueued twice, or retried by pg-boss after its process died, never
 * makes a second concurrent attempt. Every job is enqueued in the same transaction as the state
 * change that needs it (`inTransaction`), so none is lost between a commit and a send.
 */

import pg, { type Pool } from 'pg';
import PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { QueueTx, Sql, WebhookQueuePort } from './tx';

export const WEBHOOK_QUEUE = 'webhook-attempts';
/** pg-boss's own tables live in this schema, beside the application's. */
export const PG_BOSS_SCHEMA = 'pgboss';

/**
 * THE connection factory for session-sensitive work (the webhook queue's transactions; LISTEN
 * follows the same `DATABASE_DIRECT_URL` in packages/db): PostgreSQL directly, not through a
 * transaction-mode pooler. Default `DATABASE_URL`.
 */
export function createDirectPool(config: Config, max = 4): Pool {
  const connectionString = config.database.directUrl;
  if (!connectionString) throw new Error('the webhook queue needs DATABASE_URL (PostgreSQL)');
  return new pg.Pool({
    connectionString,
    max,
    application_name: 'quickeats-webhooks',
    connectionTimeoutMillis: config.database.connectTimeoutMs,
    statement_timeout: config.database.statementTimeoutMs,
    idle_in_transaction_session_timeout: 30_000,
  });
}

export class WebhookQueue implements WebhookQueuePort {
  readonly boss: PgBoss;
  private workerId: string | undefined;

  constructor(
    readonly pool: Pool,
    private readonly config: Config,
    logger: Logger,
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: PG_BOSS_SCHEMA,
      // Expiry of attempts whose process died is checked this often (one process at a time).
      maintenanceIntervalSeconds: config.webhooks.maintenanceSeconds,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (err) => logger.error({ err }, 'webhook queue error'));
    // A connection that dies (PostgreSQL restarted, network cut) is an 'error' event on the pool or
    // on the checked-out client; unhandled, it would end the process (issue 11: no process dies of
    // a dependency). The query in flight fails on its own and its caller handles that.
    this.onConnectionError = (err: Error) => logger.warn({ err }, 'webhook queue connection lost');
    pool.on('error', this.onConnectionError);
  }

  private readonly onConnectionError: (err: Error) => void;

  /** How long an attempt holds its delivery: the receiver's timeout and a margin. */
  get leaseSeconds(): number {
    return Math.ceil(this.config.webhooks.timeoutMs / 1000) + 5;
  }

  async start(): Promise<void> {
    // Processes starting together run pg-boss's schema and queue DDL at the same moment; PostgreSQL
    // may pick one of them as a deadlock victim (40P01). The DDL is idempotent: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async startOnce(): Promise<void> {
    await this.boss.start();
    // Crash recovery of a job is pg-boss's: an active job past its expiry is retried.
    await this.boss.createQueue(WEBHOOK_QUEUE, {
      name: WEBHOOK_QUEUE,
      policy: 'standard',
      retryLimit: 100,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: this.leaseSeconds + 1,
    } as PgBoss.Queue);
  }

  /** Runs `fn` in one transaction on a direct connection. */
  async inTransaction<T>(fn: (tx: QueueTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    client.on('error', this.onConnectionError);
    const sql: Sql = async (text, values) => (await client.query(text, values as unknown[])).rows;
    const tx: QueueTx = {
      sql,
      enqueue: async (jobs) => {
        if (jobs.length === 0) return;
        await this.boss.insert(
          jobs.map((j) => ({
            name: WEBHOOK_QUEUE,
            data: { deliveryId: j.deliveryId },
            // An interval pg-boss adds to now() (fractions of a second allowed).
            ...(j.afterSeconds ? { startAfter: `${j.afterSeconds.toFixed(3)} seconds` } : {}),
          })),
          { db: { executeSql: (text, values) => client.query(text, values) } },
        );
      },
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.off('error', this.onConnectionError);
      client.release();
    }
  }

  /** Starts this process's worker: batches of up to `concurrency` jobs, attempted in parallel. */
  async work(handler: (deliveryIds: string[]) => Promise<void>): Promise<void> {
    const batchSize = this.config.webhooks.concurrency;
    this.workerId = await this.boss.work<{ deliveryId: string }>(
      WEBHOOK_QUEUE,
      { batchSize, pollingIntervalSeconds: this.config.webhooks.pollSeconds },
      async (jobs) => {
        await handler(jobs.map((j) => j.data.deliveryId));
        // A full batch: there may be more due now; fetch again without waiting for the poll.
        if (jobs.length === batchSize) this.wakeWorker();
      },
    );
  }

  /** New jobs were enqueued by this process: fetch now instead of at the next poll. */
  wakeWorker(): void {
    if (this.workerId) this.boss.notifyWorker(this.workerId);
  }

  async stop(): Promise<void> {
    // Attempts in flight finish (up to the timeout); then the pool closes.
    await this.boss.stop({
      graceful: true,
      wait: true,
      close: false,
      timeout: this.config.webhooks.timeoutMs + 2000,
    });
    await this.pool.end();
  }
}
