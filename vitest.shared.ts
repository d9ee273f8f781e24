/** The one vitest configuration every package uses (its vitest.config.ts re-exports this). */
import { defineConfig } from 'vitest/config';

// Timeouts are outer bounds for a busy machine, never the expected path: tests wait on conditions,
// so a bound that is hit means "never happened", not "the machine was slow". TEST_TIME_SCALE
// stretches every bound further (e.g. 3 on a machine shared with other heavy work).
const scale = Number(process.env.TEST_TIME_SCALE ?? 1) > 0 ? Number(process.env.TEST_TIME_SCALE ?? 1) : 1;

export default defineConfig({
  test: {
    testTimeout: 300_000 * scale,
    hookTimeout: 300_000 * scale,
    // `expect.poll` waits on a condition; its default (1 s) is a clock, not a condition.
    expect: { poll: { timeout: 60_000 * scale, interval: 50 } },
    // Two cores: test files that start databases and processes run two at a time.
    maxWorkers: 2,
    // A worker keeps its module graph from one test file to the next instead of importing the whole
    // app again for every file: importing was half of the suite's CPU time. Test files therefore
    // must not leave process-wide state behind (env they set, global providers they register):
    // each restores what it changes in its own hooks.
    isolate: false,
  },
});
