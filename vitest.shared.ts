/** The one vitest configuration every package uses (its vitest.config.ts re-exports this). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    // Two cores: test files that start databases and processes run two at a time.
    maxWorkers: 2,
  },
});
