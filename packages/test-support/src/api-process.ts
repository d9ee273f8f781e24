/**
 * The real API (`apps/api/src/main.ts`) as its own process, for every package whose tests or
 * benchmarks talk to it over HTTP (SDK, sample apps, demo, bench). Several of them on one database
 * is how cross-process guarantees are proven.
 */
import { fileURLToPath } from 'node:url';
import { type ServiceProcess, startServiceProcess } from './processes';

/** Secret shared by the API processes a test starts (so a token works on all of them). */
export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** The API app's folder (where its package resolves tsx and its imports). */
export const API_DIR = fileURLToPath(new URL('../../../apps/api/', import.meta.url));

export type ApiProcess = ServiceProcess;

/**
 * Spawn the API on a free port and wait until it answers. `env` is added to this process's
 * environment; give it `DATABASE_URL` (a fresh test database) or `DATA_DIR` (a PGlite folder).
 *
 * @example
 * const api = await startApiProcess({ DATABASE_URL: db.url });
 * // … fetch(`${api.url}/api/v2/orders`) …
 * await api.stop();
 */
export function startApiProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; script?: string; tsx?: boolean } = {},
): Promise<ApiProcess> {
  return startServiceProcess({
    name: 'API process',
    cwd: API_DIR,
    script: options.script ?? 'src/main.ts',
    tsx: options.tsx,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      // Tests write as a handful of users, fast: the per-user write limit is off unless a test sets it.
      RATE_LIMIT_WRITES_PER_USER: '0',
      // The production deadlines (request 10 s, statement 8 s, connect 3 s) are not a verdict on a
      // loaded machine's speed; tests of the timeouts themselves set their own.
      REQUEST_TIMEOUT_MS: '60000',
      DATABASE_STATEMENT_TIMEOUT_MS: '60000',
      DATABASE_CONNECT_TIMEOUT_MS: '30000',
      ...env,
    },
    timeoutMs: options.timeoutMs,
  });
}
