/**
 * A whole QuickEats backend for one test file: a fresh seeded PostgreSQL database, the fake
 * payment provider (its own HTTP server, with a ledger and fault injection), and a real API process
 * wired to both. `close()` stops everything and drops the database.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type RunningProvider, startProvider } from '@quickeats/payment-provider';
import { type ProviderAdmin, providerAdmin } from '@quickeats/payment-provider/client';
import { type ApiProcess, startApiProcess } from './api-process';

export { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@quickeats/db';

export interface TestStack {
  /** Base URL of the API process. */
  apiUrl: string;
  api: ApiProcess;
  database: TestDatabase;
  provider: RunningProvider;
  /** Read the provider's ledger, inject and clear faults. */
  providerAdmin: ProviderAdmin;
  close(): Promise<void>;
}

export interface TestStackOptions {
  /** Seeded orders (spread over every state); default 40. */
  orders?: number;
  /** Extra API environment. */
  env?: Record<string, string>;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase({ seed: { orders: options.orders ?? 40 } });
  const provider = await startProvider({ port: 0 });
  let api: ApiProcess;
  try {
    api = await startApiProcess({
      DATABASE_URL: database.url,
      PAYMENT_PROVIDER_URL: provider.url,
      ...options.env,
    });
  } catch (err) {
    await provider.close();
    await database.close();
    throw err;
  }
  return {
    apiUrl: api.url,
    api,
    database,
    provider,
    providerAdmin: providerAdmin(provider.url),
    close: async () => {
      await api.stop();
      await provider.close();
      await database.close();
    },
  };
}
