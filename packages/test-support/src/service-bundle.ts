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
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
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
  const staging = join(CACHE_DIR, key);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Split at dynamic imports, as the sources are: a cluster primary that imports the server only
    // in its workers does not load the server's packages either.
    splitting: true,
    outdir: staging,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // Stack traces name the source files; a map is read only when a trace is printed.
    sourcemap: 'linked',
    logLevel: 'silent',
    absWorkingDir: dirname(entry),
    plugins: [workspaceOnly],
  });
  const digest = createHash('sha256');
  for (const file of result.outputFiles) digest.update(relative(staging, file.path)).update(file.contents);
  const folder = join(CACHE_DIR, `${key}-${digest.digest('hex').slice(0, 16)}`);
  const main = join(folder, `${basename(entry).replace(/\.[cm]?[jt]sx?$/, '')}.mjs`);
  if (!existsSync(main)) {
    // Written whole into a folder of its own, then renamed into place: a process building the same
    // bundle at the same moment either wins the rename or finds the finished folder.
    const temp = `${folder}.${process.pid}.tmp`;
    for (const file of result.outputFiles) {
      const path = join(temp, relative(staging, file.path));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.contents);
    }
    try {
      renameSync(temp, folder);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      if (!existsSync(main)) throw err;
    }
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(dirname(entry), input);
    const print = fingerprint(path);
    if (print) inputs[path] = print;
  }
  pruneOlderBuilds(key, folder);
  const manifest: Manifest = { bundle: main, inputs };
  const temp = `${manifestPath}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(manifest));
  renameSync(temp, manifestPath);
  return main;
}

/** Earlier builds of the same entry, unused for an hour (a running process may still load chunks). */
function pruneOlderBuilds(key: string, keep: string): void {
  for (const name of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    if (!name.startsWith(`${key}-`) || path === keep || name.endsWith('.tmp')) continue;
    const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}
