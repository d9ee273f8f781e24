import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// SPEC "Monorepo shape": packages/domain is pure logic with no I/O, so the layers above
// (db, api, adapters) can depend on it and tests can run it without any server.

const srcDir = import.meta.dirname;
const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();

/** Module specifiers of static imports/exports, side-effect imports, dynamic import() and require(). */
function importedModules(code: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]!));
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isForbidden(specifier: string): boolean {
  return (
    specifier.startsWith('node:') ||
    NODE_BUILTINS.has(specifier) ||
    NODE_BUILTINS.has(specifier.split('/')[0]!) ||
    /^(hono|postgres|drizzle-orm|pino)(\/|$)/.test(specifier) ||
    /^@quickeats\/db(\/|$)/.test(specifier) ||
    /^@trpc\//.test(specifier) ||
    /^@upstash\//.test(specifier)
  );
}

describe('packages/domain stays free of I/O', () => {
  it('finds the domain sources it checks', () => {
    expect(sources).toEqual(
      expect.arrayContaining(['order-decision.ts', 'order-lifecycle.ts', 'idempotency.ts']),
    );
  });

  it('recognises every import form and every forbidden module (the check below can fail)', () => {
    const sample = [
      "import { readFile } from 'node:fs/promises';",
      'import type { Sql } from "postgres";',
      "import 'pino';",
      "export { Hono } from 'hono';",
      "const { createHash } = require('crypto');",
      "const net = await import('net');",
      "import {\n  eq,\n} from 'drizzle-orm/pg-core';",
      "import { initTRPC } from '@trpc/server';",
      "import { Redis } from '@upstash/redis';",
      "import { orders } from '@quickeats/db/schema';",
      "import * as http from 'http';",
      "import fs from 'fs';",
    ].join('\n');
    const found = importedModules(sample);
    expect(found).toHaveLength(12);
    expect(found.filter(isForbidden)).toHaveLength(12);
    expect(isForbidden('zod')).toBe(false);
    expect(isForbidden('@noble/hashes/sha2.js')).toBe(false);
    expect(isForbidden('./canonical-json')).toBe(false);
  });

  it.each(sources)('%s imports no Node built-in, server, database, logger or Redis module', (file) => {
    const imports = importedModules(readFileSync(join(srcDir, file), 'utf8'));
    expect(imports.filter(isForbidden)).toEqual([]);
  });
});
