/**
 * Sequential measurements for `pnpm bench` (issue 15): one request at a time, so a p50 is the cost
 * of one request on an idle connection — what the write path and the "same SQL run raw" baselines
 * are compared by. The sides alternate request by request (A B A B …) so that the drift of a shared
 * machine (another process's burst, an autovacuum) does not favour one side; the figures are medians
 * over every sample.
 */
export interface Timing {
  p50: number;
  p90: number;
  n: number;
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: round(at(0.5)), p90: round(at(0.9)), n: sorted.length };
}

export const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Time `n` sequential calls of each function, interleaved in `rounds` rounds (by default `n`: one
 * call of each side in turn); `i` counts calls across all sides.
 */
export async function interleaved(
  sides: Record<string, (i: number) => Promise<void>>,
  n: number,
  rounds = n,
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
  return `- ${ok ? '✓' : '✗'} ${label}: ${value.toFixed(2)} (target ${goal})`;
}
