import { describe, expect, it } from 'vitest';
import type { FaultPlanInput, FaultTarget } from './faults';
import { FaultInjector, FaultPlanSchema } from './faults';

function injector(plan: FaultPlanInput): FaultInjector {
  const faults = new FaultInjector();
  faults.set(FaultPlanSchema.parse(plan));
  return faults;
}

/** Which requests of `n` in a row meet a fault before or after the effect. */
function pattern(faults: FaultInjector, n: number, target: FaultTarget = 'charge'): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const d = faults.decide(target);
    out += d.before ? 'B' : d.after ? 'A' : '.';
  }
  return out;
}

describe('FaultInjector', () => {
  it('Should move to the `next` plan on the request after the last counted fault fired', () => {
    // Phase 1 holds one charge; phase 2 drops the next two (before, then after the charge).
    const faults = injector({
      timeoutAfterCharge: { times: 1, on: ['charge'] },
      next: {
        dropBeforeCharge: { times: 1, on: ['charge'] },
        next: { dropAfterCharge: { times: 1, on: ['charge'] } },
      },
    });
    expect(faults.decide('refund')).toEqual({ latencyMs: 0, before: null, after: null }); // not eligible: no phase change
    expect(faults.decide('charge').after).toEqual({ kind: 'hold', holdMs: null });
    expect(pattern(faults, 4)).toBe('BA..');
    // Firings add up across phases, so a test reads one status for the whole staged run.
    expect(faults.status().fired).toMatchObject({
      timeoutAfterCharge: 1,
      dropBeforeCharge: 1,
      dropAfterCharge: 1,
    });
  });

  it('Should stay in a phase whose faults have no `times` (it never ends)', () => {
    const faults = injector({ dropAfterCharge: { rate: 1 }, next: { dropBeforeCharge: {} } });
    expect(pattern(faults, 3)).toBe('AAA');
  });

  it('Should inject nothing without a plan', () => {
    expect(new FaultInjector().decide('charge')).toEqual({ latencyMs: 0, before: null, after: null });
  });

  it('Should fire a certain fault exactly `times` times, then stop', () => {
    const faults = injector({ dropAfterCharge: { times: 2 } });
    expect(pattern(faults, 5)).toBe('AA...');
    expect(faults.status().remaining).toEqual({ dropAfterCharge: 0 });
    expect(faults.status().fired.dropAfterCharge).toBe(2);
  });

  it('Should never fire a fault with rate 0', () => {
    expect(pattern(injector({ errorBeforeCharge: { rate: 0 } }), 200)).toBe('.'.repeat(200));
  });

  it('Should fire only on the requests named in `on`', () => {
    const faults = injector({ errorBeforeCharge: { on: ['refund'] } });
    expect(faults.decide('charge').before).toBeNull();
    expect(faults.decide('refund').before).toEqual({ kind: 'error', status: 503 });
  });

  it('Should repeat the same faults for the same seed and differ for another seed', () => {
    const plan = { errorBeforeCharge: { rate: 0.3 }, dropAfterCharge: { rate: 0.3 } };
    const a = pattern(injector({ ...plan, seed: 7 }), 64);
    expect(pattern(injector({ ...plan, seed: 7 }), 64)).toBe(a);
    expect(pattern(injector({ ...plan, seed: 8 }), 64)).not.toBe(a);
    // Both kinds occur at these rates, so the rate is really applied (and not 0 or 1).
    expect(a).toMatch(/B/);
    expect(a).toMatch(/A/);
    expect(a).toMatch(/\./);
  });

  it('Should restart the seeded sequence when the plan is set again', () => {
    const faults = injector({ seed: 3, dropBeforeCharge: { rate: 0.5 } });
    const first = pattern(faults, 32);
    faults.set(FaultPlanSchema.parse({ seed: 3, dropBeforeCharge: { rate: 0.5 } }));
    expect(pattern(faults, 32)).toBe(first);
  });

  it('Should let the first fault before the effect win and leave the others their `times`', () => {
    // A request is never both a 503 and a dropped connection, and the drop is kept for the next one.
    const faults = injector({
      errorBeforeCharge: { times: 1 },
      dropBeforeCharge: { times: 1 },
      timeoutAfterCharge: { times: 1 },
    });
    expect(faults.decide('charge')).toMatchObject({ before: { kind: 'error' }, after: null });
    expect(faults.decide('charge')).toMatchObject({ before: { kind: 'drop' }, after: null });
    expect(faults.decide('charge')).toMatchObject({ before: null, after: { kind: 'hold', holdMs: null } });
    expect(faults.decide('charge')).toEqual({ latencyMs: 0, before: null, after: null });
  });

  it('Should add latency within ms and ms + jitterMs alongside another fault', () => {
    const faults = injector({
      seed: 1,
      latency: { ms: 50, jitterMs: 20 },
      errorBeforeCharge: { status: 502 },
    });
    for (let i = 0; i < 50; i++) {
      const d = faults.decide('refund');
      expect(d.latencyMs).toBeGreaterThanOrEqual(50);
      expect(d.latencyMs).toBeLessThanOrEqual(70);
      expect(d.before).toEqual({ kind: 'error', status: 502 });
    }
  });

  it('Should clear the plan and its counters', () => {
    const faults = injector({ dropAfterCharge: {} });
    faults.decide('charge');
    faults.clear();
    expect(faults.decide('charge').after).toBeNull();
    expect(faults.status()).toEqual({
      plan: {},
      remaining: {},
      fired: {
        latency: 0,
        errorBeforeCharge: 0,
        dropBeforeCharge: 0,
        dropAfterCharge: 0,
        timeoutAfterCharge: 0,
      },
    });
  });
});

describe('FaultPlanSchema', () => {
  it('Should refuse a rate outside 0..1, an unknown fault and a status that is not 5xx', () => {
    expect(FaultPlanSchema.safeParse({ dropAfterCharge: { rate: 1.5 } }).success).toBe(false);
    expect(FaultPlanSchema.safeParse({ explode: {} }).success).toBe(false);
    expect(FaultPlanSchema.safeParse({ errorBeforeCharge: { status: 404 } }).success).toBe(false);
    expect(FaultPlanSchema.safeParse({ dropAfterCharge: { times: 0 } }).success).toBe(false);
  });

  it('Should default a fault to certain, unlimited and on both charges and refunds', () => {
    expect(FaultPlanSchema.parse({ dropBeforeCharge: {} })).toEqual({
      dropBeforeCharge: { rate: 1, on: ['charge', 'refund'] },
    });
  });
});
