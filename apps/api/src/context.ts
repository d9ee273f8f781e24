/**
 * What the app is built from (`AppDeps`, injected so tests bring their own database) and the typed
 * per-request variables middleware sets on Hono's context.
 */
import type { Database, DbHandle } from '@quickeats/db';
import type { Actor, PaymentProvider } from '@quickeats/domain';
import type { Config } from './config';
import type { Logger } from './logger';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Health checks and shutdown. */
  dbHandle: Pick<DbHandle, 'ping' | 'driver'>;
  logger: Logger;
  paymentProvider: PaymentProvider;
  now: () => Date;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    actor: Actor;
  };
}
