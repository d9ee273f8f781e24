/**
 * The README's state diagram is generated from `LIFECYCLE`: this test fails when it is stale.
 * `pnpm docs:diagram` (UPDATE_README=1) rewrites the block between the markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lifecycleMermaid } from './order-lifecycle';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const START = '<!-- lifecycle-diagram:start (generated from packages/domain by `pnpm docs:diagram`) -->';
const END = '<!-- lifecycle-diagram:end -->';

describe('README lifecycle diagram', () => {
  it('matches the lifecycle table of packages/domain', () => {
    const readme = readFileSync(README, 'utf8');
    const block = `${START}\n\`\`\`mermaid\n${lifecycleMermaid()}\n\`\`\`\n${END}`;
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README has the diagram markers').toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + END.length);
    if (process.env.UPDATE_README === '1' && current !== block) {
      writeFileSync(README, readme.slice(0, start) + block + readme.slice(end + END.length));
      return;
    }
    expect(current).toBe(block);
  });
});
