/**
 * The part of node-postgres (`pg`, pg-boss's driver) the webhook queue uses. Declared here rather
 * than adding `@types/pg`: that package changes how drizzle-orm's optional peers resolve, splitting
 * it into two copies whose types do not match.
 */
declare module 'pg' {
  interface QueryResult {
    rows: Record<string, unknown>[];
    rowCount: number | null;
  }
  interface PoolClient {
    query(text: string, values?: unknown[]): Promise<QueryResult>;
    release(err?: Error | boolean): void;
    on(event: 'error', listener: (err: Error) => void): this;
    off(event: 'error', listener: (err: Error) => void): this;
  }
  interface PoolConfig {
    connectionString?: string;
    max?: number;
    application_name?: string;
    connectionTimeoutMillis?: number;
    statement_timeout?: number;
    idle_in_transaction_session_timeout?: number;
  }
  class Pool {
    constructor(config?: PoolConfig);
    query(text: string, values?: unknown[]): Promise<QueryResult>;
    connect(): Promise<PoolClient>;
    end(): Promise<void>;
    on(event: 'error', listener: (err: Error) => void): this;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
  export type { Pool, PoolClient, PoolConfig, QueryResult };
}
