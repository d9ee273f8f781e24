/**
 * Production build: one ESM bundle `dist/main.mjs` of the server and the workspace packages it
 * imports, with the committed migrations copied beside it. Running compiled JavaScript instead of
 * transpiling TypeScript at start (tsx) roughly halves the process's resident memory.
 * PGlite (wasm assets resolved at run time) and pino (worker threads) stay external.
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
rmSync(here('../dist'), { recursive: true, force: true });
await build({
  entryPoints: [here('../src/main.ts')],
  outfile: here('../dist/main.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  define: { __QUICKEATS_BUNDLE__: 'true' },
  external: ['@electric-sql/pglite', 'pino', 'thread-stream'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
cpSync(here('../../../packages/db/drizzle'), here('../dist/drizzle'), { recursive: true });
console.log('built apps/api/dist/main.mjs');
