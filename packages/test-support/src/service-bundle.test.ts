import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceBundle } from './service-bundle';

describe('serviceBundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quickeats-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const run = (bundle: string) => JSON.parse(execFileSync(process.execPath, [bundle], { encoding: 'utf8' }));

  it('runs the TypeScript as tsx would: each file keeps its own import.meta.url; packages bundled, or loaded from node_modules', async () => {
    write('dep.ts', 'export const where: string = import.meta.url;\nexport const answer = 41 as number;\n');
    write(
      'entry.ts',
      [
        "import postgres from 'postgres';",
        "import pino from 'pino';",
        "import { answer, where } from './dep.ts';",
        'console.log(JSON.stringify({ where, answer: answer + 1, driver: typeof postgres, logger: typeof pino }));',
      ].join('\n'),
    );
    const bundle = await serviceBundle('entry.ts', dir);
    expect(run(bundle)).toEqual({
      where: pathToFileURL(join(dir, 'dep.ts')).href,
      answer: 42,
      driver: 'function',
      logger: 'function',
    });
    // postgres.js is in the bundle; pino (worker-thread transports) stays an import.
    const text = readFileSync(bundle, 'utf8');
    expect(text).not.toMatch(/from\s*['"]postgres['"]/);
    expect(text).toMatch(/from\s*['"]pino['"]/);
    // Unchanged sources: the same bundle, not rebuilt.
    expect(await serviceBundle('entry.ts', dir)).toBe(bundle);
  });

  it('is rebuilt when a source it was built from changes', async () => {
    const before = await serviceBundle('entry.ts', dir);
    write('dep.ts', 'export const where: string = import.meta.url;\nexport const answer = 99 as number;\n');
    const after = await serviceBundle('entry.ts', dir);
    expect(after).not.toBe(before);
    expect(run(after).answer).toBe(100);
  });
});
