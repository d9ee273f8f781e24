/**
 * Opening the database a process is configured for, and what every start does to it: migrations,
 * then the demo data on first start of an empty database (never in production). The server runs
 * both at start; `pnpm start` runs them first in a short-lived process when its embedded directory
 * is new (main.ts), so the memory initdb and the seed take leaves with that process.
 */
import { createDb, type DbHandle, seedIfEmpty } from '@quickeats/db';
import type { Config } from './config';
import type { Logger } from './logger';

export function openDatabase(config: Config): DbHandle {
  return createDb({
    url: config.database.url,
    dataDir: config.database.dataDir,
    maxConnections: config.database.poolSize,
    connectTimeoutMs: config.database.connectTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
    pooled: config.database.pooled,
    directUrl: config.database.directUrl,
    replicaUrls: config.database.replicas.urls,
  });
}

/**
 * Migrate, and seed an empty database under the migration lock: processes started together on an
 * empty database would otherwise all seed it at once.
 */
export async function migrateAndSeed(dbHandle: DbHandle, config: Config, logger: Logger): Promise<void> {
  await dbHandle.migrate(async () => {
    if (config.env === 'production') return;
    const seeded = await seedIfEmpty(dbHandle.db, { orders: config.database.seedOrders });
    if (seeded) logger.info({ seeded }, 'seeded the empty database with demo data');
  });
}
