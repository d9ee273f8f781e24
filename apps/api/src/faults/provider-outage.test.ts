/**
 * Fault test (issue 11): the payment provider killed (SIGKILL) right after charging — it holds the
 * answers of charges it recorded, and dies with them unsent — under an 8-connection burst of
 * creates, pays and reads across 2 API processes, then started again on the same port. The
 * provider keeps its books in a journal file (PROVIDER_LEDGER_FILE) like a real provider whose
 * ledger survives its crash. PostgreSQL (a private initdb cluster), the provider and the API
 * processes are the test's own. The contract: pays answer 502/503 with Retry-After while the
 * provider is gone, the rest goes on, no process dies, recovery is automatic, and afterwards every
 * charge the provider made is recorded once (the retried pay finds it by the order's key, or the
 * maintenance loop reconciles it): ledger = payments. The figures are printed for the README.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbHandle } from '@quickeats/db';
import { providerAdmin } from '@quickeats/payment-provider/client';
import type { SpawnedProvider } from '@quickeats/payment-provider/process';
import {
  freePort,
  type PrivatePostgres,
  startPrivatePostgres,
  startProviderProcess,
  waitFor,
} from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type faultBurst, startFaultDeployment } from '../testing/fault-burst';
import type { ApiProcess } from '../testing/test-app';

describe('payment provider killed after charging, and restarted, under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qe-fault-provider-'));
  const ledgerFile = join(dir, 'ledger.jsonl');
  let port: number;
  let pg: PrivatePostgres;
  let db: DbHandle;
  let provider: SpawnedProvider;
  let apis: ApiProcess[] = [];
  let burst: ReturnType<typeof faultBurst>;

  beforeAll(async () => {
    port = await freePort();
    [pg, provider] = await Promise.all([startPrivatePostgres(), startProviderProcess({ port, ledgerFile })]);
    ({ apis, db, burst } = await startFaultDeployment({
      databaseUrl: pg.adminUrl,
      providerUrl: provider.url,
      env: { PAYMENT_PROVIDER_TIMEOUT_MS: '2000' },
      idempotencyInPostgres: true,
    }));
  });

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await provider?.stop();
    await db?.close().catch(() => {});
    await pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 with charges made and unanswered, restart: 502/503 with Retry-After, recovery, every charge recorded once', async () => {
    const admin = providerAdmin(provider.url);
    const charged = async () => (await admin.ledger()).charges.length;
    let chargesAtKill = 0;
    const { during } = await burst.underFault(
      'provider killed',
      async () => {
        // From now on the provider records each charge and holds its answer: kill it holding some.
        const before = await charged();
        await admin.setFaults({ timeoutAfterCharge: { on: ['charge'] } });
        await waitFor(async () => (await admin.faults()).fired.timeoutAfterCharge >= 2, {
          description: 'charges made and not answered',
          timeoutMs: 120_000,
          intervalMs: 50,
        });
        chargesAtKill = (await charged()) - before;
        await provider.stop('SIGKILL');
      },
      async () => {
        provider = await startProviderProcess({ port, ledgerFile });
      },
    );
    burst.checkContract(during);
    expect(chargesAtKill).toBeGreaterThanOrEqual(2);
    expect(during.filter((a) => a.surface === 'pay').some((a) => a.status === 502 || a.status === 503)).toBe(
      true,
    );
    // Creates and reads never ask the provider.
    expect(during.filter((a) => a.surface !== 'pay').every((a) => a.status >= 200 && a.status < 300)).toBe(
      true,
    );
    await burst.checkConsistency();
  }, 600_000);
});
