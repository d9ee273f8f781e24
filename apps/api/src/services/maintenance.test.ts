/**
 * The background upkeep every API process runs: once at start, then on its interval, never
 * overlapping itself, and stopped (awaited) on shutdown.
 */
import { waitFor } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';
import { startMaintenance } from './maintenance';

describe('startMaintenance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
  });
  afterAll(() => t?.close());

  it('runs at once and then on its interval, one run at a time, and stop() waits for the current run', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    // The real store, with its purge replaced by a slow, counting one.
    const idempotency: typeof t.deps.idempotency = Object.assign(Object.create(t.deps.idempotency), {
      purgeExpired: async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        // Slower than the interval: the next tick must queue behind this run, not overlap it.
        await new Promise((r) => setTimeout(r, 60));
        concurrent--;
        return 0;
      },
    });
    const maintenance = startMaintenance({ ...t.deps, idempotency }, 20);
    // Three runs: the one at start and two on the interval (each queued behind a slower run).
    await waitFor(() => runs >= 3, { description: 'three maintenance runs' });
    await maintenance.stop();
    const afterStop = runs;
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxConcurrent).toBe(1);
    expect(concurrent).toBe(0);
    // Nothing may run after stop(): a while later (any while — this can only fail if a run sneaks in).
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(afterStop);
  });
});
