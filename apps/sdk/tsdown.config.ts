/**
 * The published build: ESM JavaScript + bundled declarations per entry. Workspace code (the domain's
 * few runtime helpers) is bundled in; the declarations name only the printed public types
 * (src/public/types.generated.ts), so the package depends on no workspace package at all.
 * Adding an entry is one line in ENTRIES (package.test.ts then asks for its `publishConfig.exports`).
 */
import { defineConfig } from 'tsdown';

export const ENTRIES = {
  index: 'src/index.ts',
  rest: 'src/rest/index.ts',
  trpc: 'src/trpc/index.ts',
  react: 'src/react/index.tsx',
  openapi: 'src/rest/openapi.generated.ts',
} as const;

export default defineConfig({
  entry: ENTRIES,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  dts: true,
  sourcemap: false,
  // Dependencies and peers stay imports; everything from the workspace is bundled.
  external: [/^@trpc\//, /^@tanstack\//, 'openapi-fetch', 'react', /^react\//],
  noExternal: [/^@quickeats\//],
});
