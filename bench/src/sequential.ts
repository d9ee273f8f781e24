/**
 * Sequential measurements for `pnpm bench` (issue 15): one request at a time, so a p50 is the cost
 * of one request on an idle connection — what the write path and the "same SQL run raw" baselines
 * are compared by. The sides take turns in blocks of 10 requests (A×10 B×10 A×10 …): short enough
 * that the drift of a shared machine (another process's burst, an autovacuum) does not favour one
 * side, long enough that what one side's request leaves running (an API's post-commit work, a
 * NOTIFY) overlaps the other side's first request of a block only (a run alternating request by
 * request read the in-process baseline at 1.7 ms, against 0.8–0.9 ms in blocks of 20). Figures are
 * medians over every sample.
 */
export interface Timing {
  p50: number;
  p90: number;
  n: number;
  /** The samples' sum (ms): what a rate over the whole run is computed from. */
  total: number;
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    n: sorted.length,
    total: sorted.reduce((sum, ms) => sum + ms, 0),
  };
}

export const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Time `n` sequential calls of each function, interleaved in `rounds` rounds (by default blocks of
 * 10 calls a side); `i` counts calls across all sides.
 */
export async function interleaved(
  sides: Record<string, (i: number) => Promise<void>>,
  n: number,
  rounds = Math.ceil(n / 10),
): Promise<Record<string, Timing>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const per = Math.ceil(n / rounds);
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(sides)) {
      for (let k = 0; k < per; k++) {
        const t0 = performance.now();
        await fn(i++);
        samples[name]!.push(performance.now() - t0);
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

/** A ✓/✗ line for a target. */
export function target(label: string, value: number, ok: boolean, goal: string): string {
  // Two decimals, or three when two would print the goal's own figure (0.496 is not ≥ 0.5).
  const line = Number(goal.replace(/[^\d.]/g, ''));
  const digits = Number(value.toFixed(2)) === line ? 3 : 2;
  return `- ${ok ? '✓' : '✗'} ${label}: ${Number(value.toFixed(digits))} (target ${goal})`;
}
