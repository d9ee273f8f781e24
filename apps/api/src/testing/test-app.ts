/**
 * Test fixtures: an app on its own fresh PostgreSQL database (seeded), tokens for the demo
 * accounts, and helpers to start real API processes. Used by every API test file.
 */

import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDb, DEMO_ACCOUNTS, type SeedOptions, users } from '@quickeats/db';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { type Actor, InMemoryPaymentProvider, type PaymentProvider } from '@quickeats/domain';
import { TEST_TOKEN_SECRET } from '@quickeats/test-support';
import { eq } from 'drizzle-orm';
import { createApp } from '../app';
import { createTokenRevocations } from '../auth/create-revocations';
import { signAccessToken } from '../auth/token';
import { type Config, loadConfig } from '../config';
import type { AppDeps } from '../context';
import { createEventHub } from '../events/create-hub';
import { createIdempotencyStore } from '../idempotency/create-store';
import { createLogger, type Logger } from '../logger';
import { instrumentDeps } from '../observability/instrument';
import { type Metrics, NO_METRICS } from '../observability/metrics';
import { createRateLimits } from '../rate-limit';
import { createWebhookRuntime, type WebhookRuntime } from '../webhooks/runtime';

export { TEST_TOKEN_SECRET };

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EXPOSE_SQL_STATEMENTS: 'true',
    // Tests write as a handful of users, fast: the write limit is off unless a test sets it.
    RATE_LIMIT_WRITES_PER_USER: '0',
    // The request deadline and the database timeouts are outer bounds for production; a slow answer
    // on a loaded machine must not turn into a 503 in a test. Tests of the timeouts set their own.
    REQUEST_TIMEOUT_MS: '60000',
    DATABASE_STATEMENT_TIMEOUT_MS: '60000',
    DATABASE_CONNECT_TIMEOUT_MS: '30000',
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
  webhooks: WebhookRuntime | undefined;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    seed?: SeedOptions;
    env?: Record<string, string>;
    paymentProvider?: PaymentProvider;
    metrics?: Metrics;
    logger?: Logger;
    /** Run the webhook machinery (queue, fan-out, worker) on the test database. */
    webhooks?: boolean;
    /** The app's own pool of this many connections (round-trip tests: 1, so one warm-up prepares). */
    poolSize?: number;
    /** The app's own pool with named prepared statements on or off (off: a PgBouncer-style setup). */
    preparedStatements?: boolean;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ seed: options.seed ?? { orders: 50 } });
  const pool =
    options.poolSize || options.preparedStatements !== undefined
      ? createDb({
          url: database.url,
          maxConnections: options.poolSize ?? 10,
          preparedStatements: options.preparedStatements ?? true,
        })
      : null;
  const config = testConfig({
    ...(options.webhooks ? { DATABASE_URL: database.url, WEBHOOKS_DELIVER: 'true' } : {}),
    ...options.env,
  });
  const logger = options.logger ?? createLogger('silent');
  const events = createEventHub(config, database, createLogger('silent'));
  const webhooks = options.webhooks
    ? createWebhookRuntime(config, events, logger, options.metrics ?? NO_METRICS)
    : undefined;
  await webhooks?.start();
  const deps: AppDeps = instrumentDeps({
    config,
    db: pool?.db ?? database.db,
    dbHandle: pool ?? database,
    logger,
    paymentProvider: options.paymentProvider ?? new InMemoryPaymentProvider(),
    // Postgres by default; Upstash when `env` carries UPSTASH_REDIS_REST_URL/TOKEN (a bridge's).
    idempotency: createIdempotencyStore(config, pool?.db ?? database.db),
    events,
    webhookQueue: webhooks?.queue,
    rateLimits: createRateLimits(config),
    revocations: createTokenRevocations(config, database, createLogger('silent')),
    now: () => new Date(),
    metrics: options.metrics ?? NO_METRICS,
  });
  await deps.revocations.start();
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
    webhooks,
    close: async () => {
      await webhooks?.dispatcher.stop();
      await deps.events.close();
      await webhooks?.stop();
      await deps.revocations.close();
      await pool?.close();
      await database.close();
    },
  };
}

/** `app` behind a real Node HTTP server (the adapter production runs) on a free local port. */
export async function serveTestApp(app: TestApp['app']): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { type ApiProcess, startApiProcess } from '@quickeats/test-support';
export { DEMO_ACCOUNTS };
