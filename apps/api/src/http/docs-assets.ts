/**
 * The browser assets of the API's documentation pages, served from this installation's
 * node_modules at pinned versions (the catalog), never from a CDN: `/api/v2/docs` must work on a
 * machine without internet access (a partner's CI, an air-gapped staging). Read once, on first use.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The package's folder, found through its main entry (its package.json is not exported). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(join('node_modules', name)) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

let scalar: Promise<string> | undefined;

/** Scalar's standalone API-reference bundle (`@scalar/api-reference/dist/browser/standalone.js`). */
export function scalarStandalone(): Promise<string> {
  scalar ??= readFile(join(packageDir('@scalar/api-reference'), 'dist', 'browser', 'standalone.js'), 'utf8');
  return scalar;
}
