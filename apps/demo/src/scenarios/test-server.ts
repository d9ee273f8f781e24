/**
 * Test harness for the scenarios: the real server (`startServer`, as `pnpm demo` runs it) on a
 * fresh, seeded PostgreSQL database, reached over real HTTP connections like any client.
 */
import { loadConfig } from '@quickeats/api/config';
import { startServer } from '@quickeats/api/server';
import type { SeedOptions } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import type { PaymentProvider } from '@quickeats/domain';
import { TEST_TOKEN_SECRET } from '@quickeats/test-support';

export interface ScenarioServer {
  url: string;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startScenarioServer(
  options: { seed?: SeedOptions; paymentProvider?: PaymentProvider } = {},
): Promise<ScenarioServer> {
  const database = await createTestDatabase({ seed: options.seed ?? { orders: 50 } });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EXPOSE_SQL_STATEMENTS: 'true',
  });
  const server = await startServer(config, { paymentProvider: options.paymentProvider });
  return {
    url: server.url,
    database,
    close: async () => {
      await server.close();
      await database.close();
    },
  };
}
