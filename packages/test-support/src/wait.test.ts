import { describe, expect, it } from 'vitest';
import { freePort } from './ports';
import { scaledTimeout, waitFor } from './wait';

describe('waitFor', () => {
  it('returns the first value the probe yields once the condition holds', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('keeps polling through probe errors and names the condition and the last error when it gives up', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not listening');
        },
        { timeoutMs: 20, intervalMs: 1, description: 'the API to listen' },
      ),
    ).rejects.toThrow(/waiting for the API to listen \(last error: not listening\)/);
  });
});

describe('scaledTimeout', () => {
  it('multiplies bounds by TEST_TIME_SCALE and ignores nonsense values', () => {
    const before = process.env.TEST_TIME_SCALE;
    try {
      process.env.TEST_TIME_SCALE = '3';
      expect(scaledTimeout(1000)).toBe(3000);
      process.env.TEST_TIME_SCALE = 'fast';
      expect(scaledTimeout(1000)).toBe(1000);
    } finally {
      if (before === undefined) delete process.env.TEST_TIME_SCALE;
      else process.env.TEST_TIME_SCALE = before;
    }
  });
});

describe('freePort', () => {
  it('hands out distinct ports the kernel says are free', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const port of ports) expect(port).toBeGreaterThan(0);
    expect(new Set(ports).size).toBe(3);
  });
});
