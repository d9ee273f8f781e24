/**
 * The esbuild bundle of the API, shared by the production build (`scripts/build.mjs` → `dist/`) and
 * `pnpm start` (`scripts/start.mjs` → `.start/<build>/`). Issue 15, memory:
 * - split into chunks, so the cluster primary loads only the supervisor and its configuration,
 *   and the server's code (all of it behind `import('./server')`) only in the workers;
 * - whitespace and comments minified away (identifiers kept: stack traces stay readable, and the
 *   source map maps them back): the source V8 keeps of every loaded script is a third of the size,
 *   and pure ASCII — comments with a `→` or `…` made V8 hold the 13.8 MB bundle as a two-byte string
 *   (28 MB of every process's heap).
 * PGlite (wasm assets resolved at run time) and pino (worker threads) stay external.
 *
 * The `start` variant also bundles the fake payment provider (`provider.mjs`, which `pnpm start`
 * runs as its own process) and knows the repository it was built in (the default `.env` and
 * `./.data/pglite` are the repository's, wherever the bundle sits).
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export const REPO_ROOT = here('../../../');

/** Build into `outdir` (emptied first); resolves with esbuild's metafile (the inputs it read). */
export async function bundle({ outdir, variant = 'production' }) {
  rmSync(outdir, { recursive: true, force: true });
  const start = variant === 'start';
  const result = await build({
    entryPoints: start
      ? { main: here('../src/main.ts'), provider: here('../../payment-provider/src/main.ts') }
      : [here('../src/main.ts')],
    outdir,
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
    metafile: true,
    define: {
      __QUICKEATS_BUNDLE__: JSON.stringify(start ? 'start' : 'production'),
      ...(start ? { __QUICKEATS_REPO_ROOT__: JSON.stringify(REPO_ROOT) } : {}),
    },
    external: ['@electric-sql/pglite', 'pino', 'thread-stream'],
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  cpSync(here('../../../packages/db/drizzle'), `${outdir}/drizzle`, { recursive: true });
  return result.metafile;
}
