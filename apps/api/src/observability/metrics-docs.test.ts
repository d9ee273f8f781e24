/**
 * The README's metrics list is generated from the metrics table: this fails when it is stale.
 * `pnpm docs:generate` (UPDATE_README=1) rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricsTable } from './metrics';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));
const START =
  '<!-- metrics-table:start (generated from apps/api/src/observability/metrics.ts by `pnpm docs:generate`) -->';
const END = '<!-- metrics-table:end -->';

describe('metrics documentation', () => {
  it('README metrics list matches the metrics table', () => {
    const readme = readFileSync(README, 'utf8');
    const block = `${START}\n${metricsTable()}\n${END}`;
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README has the metrics-table markers').toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + END.length);
    if (process.env.UPDATE_README === '1' && current !== block) {
      writeFileSync(README, readme.slice(0, start) + block + readme.slice(end + END.length));
      return;
    }
    expect(current).toBe(block);
  });
});
