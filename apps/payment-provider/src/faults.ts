/**
 * Fault injection (SPEC "Payment provider": latency, timeout after charging, 5xx, dropped connection).
 * A test posts a plan; every fault in it fires on a charge or refund request with probability `rate`
 * and at most `times` times, so "drop the next charge" is `{ dropAfterCharge: { times: 1 } }` and
 * "fail a third of all requests" is `{ errorBeforeCharge: { rate: 0.33 } }`. With a `seed`, requests
 * sent one after another meet the same faults on every run.
 *
 * A plan may name the plan that follows it (`next`): once every counted fault of the current plan
 * has fired its `times`, the next one takes over on the very next request. Tests use this to stage
 * faults by event ("hold the first charge; after that, drop the next two") instead of by clock —
 * a test that swaps plans between requests races the requests on a busy machine.
 *
 * "Charge" in the fault names means the request's effect: the charge, or the refund for `/v1/refunds`.
 */
import { z } from 'zod';

export const FAULT_TARGETS = ['charge', 'refund'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

const common = {
  /** Probability (0..1) that the fault fires on an eligible request. */
  rate: z.number().min(0).max(1).default(1),
  /** Fire at most this many times, then stay quiet (a firing uses one; a request it spares does not). */
  times: z.int().min(1).optional(),
  /** Which requests are eligible; both by default. */
  on: z.array(z.enum(FAULT_TARGETS)).min(1).default(['charge', 'refund']),
};

const faultPlanFields = {
  /** Seed of the random draws; without it the draws use `Math.random`. */
  seed: z.int().optional(),
  /** Extra delay before the request is handled: `ms` plus up to `jitterMs` more. */
  latency: z
    .strictObject({
      ...common,
      ms: z.int().min(0).max(60_000),
      jitterMs: z.int().min(0).max(60_000).default(0),
    })
    .optional(),
  /** Answer 5xx before anything is recorded. */
  errorBeforeCharge: z
    .strictObject({
      ...common,
      status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
    })
    .optional(),
  /** Destroy the socket before anything is recorded. */
  dropBeforeCharge: z.strictObject(common).optional(),
  /** Record the charge, then destroy the socket: the client never learns it was charged. */
  dropAfterCharge: z.strictObject(common).optional(),
  /**
   * Record the charge, then hold the response: until the client gives up (its timeout aborts the
   * request), or for `holdMs` when given, after which the response is sent late.
   */
  timeoutAfterCharge: z
    .strictObject({ ...common, holdMs: z.int().min(1).max(600_000).optional() })
    .optional(),
};

/** What a client sends (defaults may be left out). */
export type FaultPlanInput = z.input<z.ZodObject<typeof faultPlanFields>> & { next?: FaultPlanInput };
export type FaultPlan = z.output<z.ZodObject<typeof faultPlanFields>> & { next?: FaultPlan };

export const FaultPlanSchema: z.ZodType<FaultPlan, FaultPlanInput> = z.strictObject({
  ...faultPlanFields,
  /** The plan that takes over once every counted fault of this one has fired its `times`. */
  get next() {
    return FaultPlanSchema.optional();
  },
});

export const FAULT_NAMES = [
  'latency',
  'errorBeforeCharge',
  'dropBeforeCharge',
  'dropAfterCharge',
  'timeoutAfterCharge',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** What the handler of one request must do. At most one fault before and one after the effect. */
export interface FaultDecision {
  latencyMs: number;
  before: { kind: 'error'; status: 500 | 502 | 503 | 504 } | { kind: 'drop' } | null;
  after: { kind: 'drop' } | { kind: 'hold'; holdMs: number | null } | null;
}

/** `GET /v1/faults`: the plan, how many firings each fault has left, and how often each fired. */
export interface FaultStatus {
  plan: FaultPlan;
  remaining: Partial<Record<FaultName, number>>;
  fired: Record<FaultName, number>;
}

const NO_FAULT: FaultDecision = { latencyMs: 0, before: null, after: null };

export class FaultInjector {
  private plan: FaultPlan = {};
  private remaining = new Map<FaultName, number>();
  private fired = zeroCounts();
  private random: () => number = Math.random;

  /** Replace the plan; counters and the random sequence start over. */
  set(plan: FaultPlan): void {
    this.fired = zeroCounts();
    this.enter(plan);
  }

  /** Make `plan` the current one (its `times` counters fresh); firing counts carry over across phases. */
  private enter(plan: FaultPlan): void {
    this.plan = plan;
    this.remaining = new Map();
    for (const name of FAULT_NAMES) {
      const times = plan[name]?.times;
      if (times !== undefined) this.remaining.set(name, times);
    }
    this.random = plan.seed === undefined ? Math.random : mulberry32(plan.seed);
  }

  clear(): void {
    this.set({});
  }

  status(): FaultStatus {
    return { plan: this.plan, remaining: Object.fromEntries(this.remaining), fired: { ...this.fired } };
  }

  /**
   * Decide every fault of one request up front, synchronously, so the random draws follow request
   * order and are not reshuffled by the awaits that follow. Faults are tried in a fixed order and the
   * first that fires before the effect wins (so a request is never both a 503 and a drop); a fault
   * that is not reached keeps its `times`.
   */
  decide(target: FaultTarget): FaultDecision {
    const decision = this.decideInPlan(target);
    // The phase is over once every counted fault has fired: the next request meets the next plan.
    if (
      this.plan.next &&
      this.remaining.size > 0 &&
      [...this.remaining.values()].every((left) => left === 0)
    ) {
      this.enter(this.plan.next);
    }
    return decision;
  }

  private decideInPlan(target: FaultTarget): FaultDecision {
    if (Object.keys(this.plan).every((k) => k === 'seed' || k === 'next')) return NO_FAULT;
    const latency = this.plan.latency;
    let latencyMs = 0;
    if (latency && this.fires('latency', target)) {
      latencyMs =
        latency.ms + (latency.jitterMs > 0 ? Math.floor(this.random() * (latency.jitterMs + 1)) : 0);
    }

    const error = this.plan.errorBeforeCharge;
    if (error && this.fires('errorBeforeCharge', target)) {
      return { latencyMs, before: { kind: 'error', status: error.status }, after: null };
    }
    if (this.fires('dropBeforeCharge', target)) return { latencyMs, before: { kind: 'drop' }, after: null };
    if (this.fires('dropAfterCharge', target)) return { latencyMs, before: null, after: { kind: 'drop' } };
    const hold = this.plan.timeoutAfterCharge;
    if (hold && this.fires('timeoutAfterCharge', target)) {
      return { latencyMs, before: null, after: { kind: 'hold', holdMs: hold.holdMs ?? null } };
    }
    return { latencyMs, before: null, after: null };
  }

  private fires(name: FaultName, target: FaultTarget): boolean {
    const fault = this.plan[name];
    if (!fault?.on.includes(target)) return false;
    const left = this.remaining.get(name);
    if (left === 0) return false;
    // rate 1 draws nothing, so adding a certain fault does not shift the draws of the others.
    if (fault.rate < 1 && !(this.random() < fault.rate)) return false;
    if (left !== undefined) this.remaining.set(name, left - 1);
    this.fired[name]++;
    return true;
  }
}

function zeroCounts(): Record<FaultName, number> {
  return { latency: 0, errorBeforeCharge: 0, dropBeforeCharge: 0, dropAfterCharge: 0, timeoutAfterCharge: 0 };
}

/** Small seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
