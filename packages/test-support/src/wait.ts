/**
 * Waiting on conditions, not clocks. A test on a busy two-core machine cannot know how long
 * "soon" is, so it polls the condition itself and only gives up after a generous outer bound —
 * long enough that hitting it means the condition really never came, not that the machine was slow.
 */

export interface WaitOptions {
  /** Outer bound (default 60 s): a failure, never part of the expected path. */
  timeoutMs?: number;
  /** Pause between polls (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  description?: string;
}

/**
 * Poll `probe` until it returns a value other than `undefined`/`false`, and return that value.
 *
 * @example
 * const row = await waitFor(async () => (await readOrder(id))?.status === 'paid' && row, { description: 'order paid' });
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 50, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A bound scaled for a loaded machine: `TEST_TIME_SCALE` (default 1) multiplies every outer bound. */
export function scaledTimeout(ms: number): number {
  const scale = Number(process.env.TEST_TIME_SCALE ?? 1);
  return Math.round(ms * (Number.isFinite(scale) && scale > 0 ? scale : 1));
}
