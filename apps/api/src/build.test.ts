/**
 * The production build (`pnpm --filter @quickeats/api build`): the bundle starts without tsx,
 * runs the committed migrations it carries, and serves the API.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { startProvider } from '@quickeats/payment-provider';
import { type ServiceProcess, startServiceProcess } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, TEST_TOKEN_SECRET } from './testing/test-app';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('production bundle', () => {
  let db: TestDatabase;
  let api: ServiceProcess;
  let provider: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    provider = await startProvider({ port: 0 });
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: API_DIR, stdio: 'pipe' });
    db = await createTestDatabase();
    api = await startServiceProcess({
      name: 'bundled API',
      cwd: API_DIR,
      script: 'dist/main.mjs',
      tsx: false,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PAYMENT_PROVIDER_URL: provider.url,
        AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
        LOG_LEVEL: 'warn',
        SEED_ORDERS: '5',
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await provider?.close();
    await db?.close();
  });

  it('refuses to start without a payment provider, naming the variable', async () => {
    const run = startServiceProcess({
      name: 'bundled API without provider',
      cwd: API_DIR,
      script: 'dist/main.mjs',
      tsx: false,
      env: { ...process.env, DATABASE_URL: db.url, PAYMENT_PROVIDER_URL: '', LOG_LEVEL: 'warn' },
    });
    await expect(run).rejects.toThrow(/exited with 78[\s\S]*PAYMENT_PROVIDER_URL/);
  });

  it('migrates, seeds the empty database and answers like the source build', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      database: { driver: 'postgres' },
    });
    const login = await fetch(`${api.url}/api/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ACCOUNTS.owner, password: 'quickeats-demo' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const list = await fetch(`${api.url}/api/v2/orders?include=restaurant`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('application/vnd.api+json');
  });
});
