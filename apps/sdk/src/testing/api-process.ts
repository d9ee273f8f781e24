/**
 * Start the real API (`apps/api/src/main.ts`) as its own process, the way it runs in production,
 * and wait until `/healthz` answers. The SDK, the sample apps and `pnpm generate` all use it, so
 * everything they prove is proved against the server a partner would call.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

/** Secret shared by the API processes a test starts (so tokens work across them). */
export const TEST_TOKEN_SECRET = 'sdk-test-secret-sdk-test-secret-0123456789';

export interface ApiProcess {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

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
export async function startApiProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<ApiProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiPackageDir(),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      ...env,
      // Port 0: the OS picks a free port; main.ts prints the URL it listens on.
      PORT: '0',
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API process did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1].replace(/\/+$/, ''));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API process exited with ${code} before listening:\n${out}`));
    });
  });
  // Listening is printed after the server is bound, but check health the way a balancer would.
  const health = await fetch(`${url}/healthz`);
  if (!health.ok) throw new Error(`API process at ${url} is not healthy (${health.status}):\n${out}`);

  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
