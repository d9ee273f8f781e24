/**
 * The published types must be what `pnpm generate` prints from the router and the domain now: a
 * procedure or schema changed without regenerating fails here. (src/public/types.check.ts proves
 * at compile time that the printed types and the real ones are mutually assignable.)
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PUBLIC_TYPES_FILE, renderPublicTypes } from './generate';

describe('generated public types', () => {
  it('match the API router and the domain types as they are now', async () => {
    const committed = await readFile(PUBLIC_TYPES_FILE, 'utf8');
    expect(committed.split('\n'), 'stale: run `pnpm --filter @quickeats/sdk generate`').toEqual(
      renderPublicTypes().split('\n'),
    );
  });

  it('name no workspace package (the published declarations must stand alone)', async () => {
    const committed = await readFile(PUBLIC_TYPES_FILE, 'utf8');
    expect(committed).not.toMatch(/(from|import\() *'@quickeats\//);
    expect(committed).not.toMatch(/from '(zod|drizzle-orm|hono)/);
  });
});
