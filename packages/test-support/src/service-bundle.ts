/**
 * A TypeScript entry point (and the workspace sources it imports) compiled ahead into one ES module,
 * for the service processes tests start. Under tsx every process transpiles and resolves hundreds
 * of workspace files through loader hooks at start: importing the API app cost 3.5 s of CPU per
 * process, against 0.7 s for the same code as one file — and the suite starts a great many API
 * processes (and each starts its workers).
 *
 * It runs the same code as tsx would: the workspace's TypeScript is bundled as is; every package
 * outside the workspace stays an ordinary import from node_modules; and `import.meta.url` in each
 * source file is the URL of that source file, so everything found relative to a source file (the
 * migrations, the docs assets, the fake provider's entry) is found where it is under tsx. It is not
 * the production build (`apps/api/scripts/build.mjs`): that one is tested as itself.
 *
 * Bundles are cached and rebuilt when any source they were built from changed (size or modification
 * time), so a test always runs the code in the working tree. They live in pnpm's hoisting folder
 * (node_modules/.pnpm/node_modules), where Node resolves every external package from, each at the
 * version the workspace's packages get (one version of each per workspace: the catalog).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.pnpm', 'node_modules', '.quickeats-service-bundles');

interface Manifest {
  bundle: string;
  /** Absolute path → `size:mtimeMs` of every source file in the bundle. */
  inputs: Record<string, string>;
}

function fingerprint(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function upToDate(manifestPath: string): string | null {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (fingerprint(manifest.bundle) === null) return null;
  for (const [path, print] of Object.entries(manifest.inputs)) if (fingerprint(path) !== print) return null;
  return manifest.bundle;
}

/** Workspace sources are bundled (with their own `import.meta.url`); everything else is external. */
const workspaceOnly: Plugin = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      // Bare specifiers: the workspace's own packages are bundled, the rest loaded from node_modules.
      args.path.startsWith('@quickeats/') ? undefined : { path: args.path, external: true },
    );
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
      return {
        contents: source.replaceAll('import.meta.url', url),
        loader: ext.includes('ts') ? (ext.endsWith('x') ? 'tsx' : 'ts') : ext.endsWith('x') ? 'jsx' : 'js',
      };
    });
  },
};

const building = new Map<string, Promise<string>>();

/** The bundle of `entry` (absolute, or relative to `cwd`): built now if missing or stale. */
export function serviceBundle(entry: string, cwd = process.cwd()): Promise<string> {
  const absolute = resolve(cwd, entry);
  const key = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  const manifestPath = join(CACHE_DIR, `${key}.json`);
  const fresh = upToDate(manifestPath);
  if (fresh) return Promise.resolve(fresh);
  let pending = building.get(key);
  if (!pending) {
    pending = buildBundle(absolute, key, manifestPath).finally(() => building.delete(key));
    building.set(key, pending);
  }
  return pending;
}

async function buildBundle(entry: string, key: string, manifestPath: string): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Stack traces name the source files; the map is read only when a trace is printed.
    sourcemap: 'external',
    outfile: join(CACHE_DIR, `${key}.mjs`),
    logLevel: 'silent',
    absWorkingDir: dirname(entry),
    plugins: [workspaceOnly],
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))?.contents;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.contents;
  if (!code || !map) throw new Error(`esbuild produced no output for ${entry}`);
  const digest = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const bundle = join(CACHE_DIR, `${key}-${digest}.mjs`);
  writeAtomically(`${bundle}.map`, map);
  writeAtomically(
    bundle,
    Buffer.concat([code, Buffer.from(`\n//# sourceMappingURL=${key}-${digest}.mjs.map\n`)]),
  );
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(dirname(entry), input);
    const print = fingerprint(path);
    if (print) inputs[path] = print;
  }
  const manifest: Manifest = { bundle, inputs };
  writeAtomically(manifestPath, JSON.stringify(manifest));
  return bundle;
}

/** Processes building the same bundle at once each write whole files; the last rename wins. */
function writeAtomically(path: string, contents: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
}
