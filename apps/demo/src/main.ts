/**
 * `pnpm demo`: start a fresh API (embedded PGlite in a temporary directory, or `DATABASE_URL`
 * when set) with the fake payment provider, run the five problem scenarios against v1 and v2,
 * print v1 beside v2 for each (within 120 columns), and exit 1 when any v2 outcome is wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@quickeats/api/config';
import { startServer } from '@quickeats/api/server';
import { loadDemoWorld } from '@quickeats/db';
import { startProvider } from '@quickeats/payment-provider';
import { HttpPaymentProvider } from '@quickeats/payment-provider/client';
import { formatDemoTable, runDemo } from './demo';
import { urlTarget } from './scenarios/http-target';
import { httpLedger } from './scenarios/ledger';

async function main() {
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'quickeats-demo-'));
  const provider = await startProvider({ port: 0 });
  const config = loadConfig({
    ...process.env,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    PAYMENT_PROVIDER_URL: provider.url,
    EXPOSE_SQL_STATEMENTS: 'true',
    SEED_ORDERS: process.env.SEED_ORDERS ?? '200',
    // Widens v1's read→write window so problem 3 shows every time, not by luck.
    V1_LEGACY_WRITE_DELAY_MS: process.env.V1_LEGACY_WRITE_DELAY_MS ?? '500',
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
  });
  const server = await startServer(config, {
    paymentProvider: new HttpPaymentProvider({
      baseUrl: provider.url,
      timeoutMs: config.paymentProvider.timeoutMs,
    }),
  });
  try {
    console.log(
      `QuickEats demo: API ${server.url} on ${server.deps.dbHandle.driver}, fake payment provider ${provider.url}\n`,
    );
    const rows = await runDemo({
      http: urlTarget(server.url),
      world: await loadDemoWorld(server.deps.db),
      ledger: httpLedger(provider.url),
    });
    console.log(formatDemoTable(rows));
    const wrong = rows.filter((r) => !r.v2Correct);
    console.log(
      wrong.length === 0
        ? '\nEvery v2 outcome is the fix.'
        : `\n${wrong.length} v2 outcome(s) wrong: ${wrong.map((r) => r.scenario).join(', ')}`,
    );
    process.exitCode = wrong.length === 0 ? 0 : 1;
  } finally {
    await server.close();
    await provider.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
