/**
 * The README's configuration table is generated from the zod schema and `ENV_DOCS` (TypeScript
 * makes ENV_DOCS name every variable): this fails when the README is stale, and `.env.example`
 * must mention every variable. `pnpm docs:generate` (UPDATE_README=1) rewrites the table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configurationTable, ENV_DOCS } from './config';

const ROOT = new URL('../../../', import.meta.url);
const README = fileURLToPath(new URL('README.md', ROOT));
const START = '<!-- config-table:start (generated from apps/api/src/config.ts by `pnpm docs:generate`) -->';
const END = '<!-- config-table:end -->';

describe('configuration documentation', () => {
  it('README configuration table matches the schema', () => {
    const readme = readFileSync(README, 'utf8');
    const block = `${START}\n${configurationTable()}\n${END}`;
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README has the config-table markers').toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + END.length);
    if (process.env.UPDATE_README === '1' && current !== block) {
      writeFileSync(README, readme.slice(0, start) + block + readme.slice(end + END.length));
      return;
    }
    expect(current).toBe(block);
  });

  it('.env.example mentions every variable', () => {
    const example = readFileSync(fileURLToPath(new URL('.env.example', ROOT)), 'utf8');
    const missing = Object.keys(ENV_DOCS).filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});
