/**
 * Test-side control of a running fake provider: read its ledger, set and clear faults, reset it.
 * Kept apart from the `PaymentProvider` adapter because production code never needs it.
 */
import type { FaultPlanInput, FaultStatus } from './faults';
import type { LedgerSnapshot } from './wire';
import { LedgerSnapshotSchema } from './wire';

export interface ProviderAdmin {
  /** Every charge and refund the provider recorded, oldest first. */
  ledger(): Promise<LedgerSnapshot>;
  faults(): Promise<FaultStatus>;
  /** Replace the fault plan (counters and seeded draws start over); answers the new status. */
  setFaults(plan: FaultPlanInput): Promise<FaultStatus>;
  clearFaults(): Promise<void>;
  /** Empty the ledger and clear the fault plan. */
  reset(): Promise<void>;
}

/**
 * @example
 * const admin = providerAdmin(provider.url);
 * await admin.setFaults({ timeoutAfterCharge: { times: 1 } });
 * // … pay, retry …
 * expect((await admin.ledger()).charges).toHaveLength(1);
 */
export function providerAdmin(baseUrl: string): ProviderAdmin {
  const base = baseUrl.replace(/\/+$/, '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: provider answered ${res.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }
  return {
    ledger: async () => LedgerSnapshotSchema.parse(await call('GET', '/v1/ledger')),
    faults: async () => (await call('GET', '/v1/faults')) as FaultStatus,
    setFaults: async (plan) => (await call('POST', '/v1/faults', plan)) as FaultStatus,
    clearFaults: async () => {
      await call('DELETE', '/v1/faults');
    },
    reset: async () => {
      await call('POST', '/v1/reset');
    },
  };
}
