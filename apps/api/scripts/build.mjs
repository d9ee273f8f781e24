/**
 * Production build: ESM `dist/main.mjs` of the server and the workspace packages it imports, with
 * the committed migrations copied beside it. Running compiled JavaScript instead of transpiling
 * TypeScript at start (tsx) roughly halves the process's resident memory. Issue 15, memory:
 * - split into chunks, so the cluster primary loads only the supervisor and its configuration,
 *   and the server's code (all of it behind `import('./server')`) only in the workers;
 * - whitespace and comments minified away (identifiers kept: stack traces stay readable, and the
 *   source map maps them back): the source V8 keeps of every loaded script is a third of the size,
 *   and pure ASCII — comments with a `→` or `…` made V8 hold the 13.8 MB bundle as a two-byte string
 *   (28 MB of every process's heap).
 * PGlite (wasm assets resolved at run time) and pino (worker threads) stay external.
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
rmSync(here('../dist'), { recursive: true, force: true });
await build({
  entryPoints: [here('../src/main.ts')],
  outdir: here('../dist'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
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
