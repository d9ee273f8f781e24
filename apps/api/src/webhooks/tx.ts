/**
 * What the webhook use cases need from the queue, without its driver: a transaction whose jobs commit
 * with it, and a nudge for this process's worker. (Kept apart from queue.ts so the router's types,
 * which the SDK compiles, do not reach node-postgres.)
 */
export type Sql = (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface QueueTx {
  sql: Sql;
  /** Enqueue attempts of these deliveries, each after its delay (seconds), in this transaction. */
  enqueue(jobs: { deliveryId: string; afterSeconds?: number }[]): Promise<void>;
}

export interface WebhookQueuePort {
  /** Runs `fn` in one transaction on the queue's direct connection. */
  inTransaction<T>(fn: (tx: QueueTx) => Promise<T>): Promise<T>;
  /** New jobs were enqueued by this process: fetch now instead of at the next poll. */
  wakeWorker(): void;
}
