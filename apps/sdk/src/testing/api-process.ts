/**
 * Start the real API (`apps/api/src/main.ts`) as its own process (the API's own process helper)
 * and wait until `/healthz` answers. The SDK, the sample apps and `pnpm generate` all use it, so
 * everything they prove is proved against the server a partner would call.
 */

import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { type ServiceProcess, startServiceProcess } from '@quickeats/api/processes';

/** Secret shared by the API processes a test starts (so tokens work across them). */
export const TEST_TOKEN_SECRET = 'sdk-test-secret-sdk-test-secret-0123456789';

export type ApiProcess = ServiceProcess;

/** The API package's folder, found through its exported router entry (apps/api/src/trpc/root.ts). */
export function apiPackageDir(): string {
  const router = createRequire(import.meta.url).resolve('@quickeats/api/router');
  return resolve(dirname(router), '../..');
}

/**
 * Spawn the API on a free port. `env` is added to this process's environment; give it
 * `DATABASE_URL` (a fresh test database) or `DATA_DIR` (a PGlite folder).
 *
 * @example
 * const api = await startApiProcess({ DATABASE_URL: db.url });
 * const client = createRestClient({ baseUrl: api.url });
 * // …
 * await api.stop();
 */
export function startApiProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ApiProcess> {
  return startServiceProcess({
    name: 'API process',
    cwd: apiPackageDir(),
    script: 'src/main.ts',
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      ...env,
    },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}
