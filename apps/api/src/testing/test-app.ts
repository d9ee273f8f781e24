/**
 * Test fixtures: an app on its own fresh PostgreSQL database (seeded), tokens for the demo
 * accounts, and helpers to start real API processes. Used by every API test file.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, type SeedOptions, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type Actor, InMemoryPaymentProvider, type PaymentProvider } from '@quickeats/domain';
import { eq } from 'drizzle-orm';
import { createApp } from '../app';
import { signAccessToken } from '../auth/token';
import { type Config, loadConfig } from '../config';
import type { AppDeps } from '../context';
import { createIdempotencyStore } from '../idempotency/create-store';
import { createLogger, type Logger } from '../logger';
import { createRateLimits } from '../rate-limit';
import { type ServiceProcess, startServiceProcess } from './processes';

export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EXPOSE_SQL_STATEMENTS: 'true',
    // Tests write as a handful of users, fast: the write limit is off unless a test sets it.
    RATE_LIMIT_WRITES_PER_USER: '0',
    ...overrides,
  });
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  database: TestDatabase;
  /** Bearer token for a seeded user, by email. */
  tokenFor(email: string): Promise<string>;
  actorFor(email: string): Promise<Actor>;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    seed?: SeedOptions;
    env?: Record<string, string>;
    paymentProvider?: PaymentProvider;
    logger?: Logger;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ seed: options.seed ?? { orders: 50 } });
  const config = testConfig(options.env);
  const deps: AppDeps = {
    config,
    db: database.db,
    dbHandle: database,
    logger: options.logger ?? createLogger('silent'),
    paymentProvider: options.paymentProvider ?? new InMemoryPaymentProvider(),
    // Postgres by default; Upstash when `env` carries UPSTASH_REDIS_REST_URL/TOKEN (a bridge's).
    idempotency: createIdempotencyStore(config, database.db),
    rateLimits: createRateLimits(config),
    now: () => new Date(),
  };
  const actorFor = async (email: string): Promise<Actor> => {
    const [u] = await database.db
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(eq(users.email, email));
    if (!u) throw new Error(`no seeded user ${email}`);
    return { userId: u.id, role: u.role };
  };
  return {
    app: createApp(deps),
    deps,
    database,
    actorFor,
    tokenFor: async (email) => signAccessToken(await actorFor(email), TEST_TOKEN_SECRET, 3600),
    close: () => database.close(),
  };
}

export { DEMO_ACCOUNTS };

const API_DIR = fileURLToPath(new URL('../..', import.meta.url));

export type ApiProcess = ServiceProcess;

/** Start `src/main.ts` as a separate API process on a free port and wait until /healthz answers. */
export function startApiProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
  return startServiceProcess({
    name: 'API process',
    cwd: API_DIR,
    script: 'src/main.ts',
    env: { ...process.env, LOG_LEVEL: 'warn', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, ...env },
    timeoutMs,
  });
}
