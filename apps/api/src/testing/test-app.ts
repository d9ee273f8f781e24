/**
 * Test fixtures: an app on its own fresh PostgreSQL database (seeded), tokens for the demo
 * accounts, and helpers to start real API processes. Used by every API test file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
import { createLogger } from '../logger';

export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EXPOSE_SQL_STATEMENTS: 'true',
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
  options: { seed?: SeedOptions; env?: Record<string, string>; paymentProvider?: PaymentProvider } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ seed: options.seed ?? { orders: 50 } });
  const config = testConfig(options.env);
  const deps: AppDeps = {
    config,
    db: database.db,
    dbHandle: database,
    logger: createLogger('silent'),
    paymentProvider: options.paymentProvider ?? new InMemoryPaymentProvider(),
    // Postgres by default; Upstash when `env` carries UPSTASH_REDIS_REST_URL/TOKEN (a bridge's).
    idempotency: createIdempotencyStore(config, database.db),
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

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `src/main.ts` as a separate process on a free port and wait until /healthz answers. */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      ...env,
      PORT: port,
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API process did not become healthy in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        // Already gone (exited, or killed by a signal such as a test's SIGKILL): 'exit' will not fire again.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
