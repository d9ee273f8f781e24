/** The one vitest configuration every package uses (its vitest.config.ts re-exports this). */
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that run real processes, databases or browsers for tens of seconds, mostly waiting on
 * them: named so (`*.processes.test.ts`, `*.chaos.test.ts`, `*.e2e.test.ts`, fault and topology
 * tests). They start first. Vitest orders by the durations of the last run, but a fresh clone (CI)
 * has none and ran files in glob order: the longest ones then ended the run alone while the rest
 * of the machine was already idle (the API package's last 90 s at ~65 % CPU).
 */
const LONGEST = /(topology|cross-process|\.chaos)\.test\.ts$/;
const LONG_RUNNING = /(\.processes|\.e2e|supervisor|server|readme-examples|faults\/[^/]+)\.test\.ts$/;

class LongRunningFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) =>
      LONGEST.test(f.moduleId) ? 0 : LONG_RUNNING.test(f.moduleId) ? 1 : 2;
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}

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
    sequence: { sequencer: LongRunningFirst },
    // A worker keeps its module graph from one test file to the next instead of importing the whole
    // app again for every file: importing was half of the suite's CPU time. Test files therefore
    // must not leave process-wide state behind (env they set, global providers they register):
    // each restores what it changes in its own hooks.
    isolate: false,
  },
});
