/**
 * A TypeScript entry point, the workspace sources it imports and the packages they use, compiled
 * ahead into one ES module (split at dynamic imports), for the service processes tests start. Under
 * tsx every process transpiles and resolves hundreds of workspace files through loader hooks at
 * start: importing the API app cost 3.5 s of CPU per process, against 0.7 s for the same code as
 * one file; loading the packages from node_modules one module file at a time then still cost a
 * worker 0.6 s of its 1.4 s start — and the suite starts a great many API processes (and each
 * starts its workers).
 *
 * It runs the same code as tsx would: the workspace's TypeScript is bundled as is, with the
 * packages it imports (except the few that find files of their own at run time, which stay
 * ordinary imports); and `import.meta.url` in each source file is the URL of that source file, so
 * everything found relative to a source file (the migrations, the docs assets, the fake provider's
 * entry) is found where it is under tsx. It is not the production build
 * (`apps/api/scripts/build.mjs`): that one is tested as itself.
 *
 * Bundles are cached and rebuilt when any source they were built from changed (size or modification
 * time), or this bundler did, so a test always runs the code in the working tree. They live in
 * pnpm's hoisting folder (node_modules/.pnpm/node_modules), where Node resolves the external
 * packages from, each at the version the workspace's packages get (one version of each per
 * workspace: the catalog).
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
const HOISTED = join(REPO_ROOT, 'node_modules', '.pnpm', 'node_modules');
const CACHE_DIR = join(HOISTED, '.quickeats-service-bundles');

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

/**
 * Packages that find files of their own at run time (PGlite's wasm, pino's worker-thread
 * transports) stay ordinary imports from node_modules, as in the production build.
 */
const RUNTIME_EXTERNAL = /^(@electric-sql\/pglite|pino|pino-pretty|thread-stream)(\/|$)/;

/**
 * Everything is bundled, node_modules included (resolving and loading some thousand module files
 * one by one cost a worker 0.6 s of CPU at each start), except RUNTIME_EXTERNAL. Every file keeps
 * its own `import.meta.url`, so whatever a source finds relative to itself is found where it is.
 */
const ownUrls: Plugin = {
  name: 'own-urls',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      RUNTIME_EXTERNAL.test(args.path) ? { path: args.path, external: true } : undefined,
    );
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url') && args.path.includes('/node_modules/')) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
      return {
        contents: source.replaceAll('import.meta.url', url),
        loader: ext.includes('ts') ? (ext.endsWith('x') ? 'tsx' : 'ts') : ext.endsWith('x') ? 'jsx' : 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

const BUNDLER_SOURCE = readFileSync(fileURLToPath(import.meta.url));

const building = new Map<string, Promise<string>>();

/** The bundle of `entry` (absolute, or relative to `cwd`): built now if missing or stale. */
export function serviceBundle(entry: string, cwd = process.cwd()): Promise<string> {
  const absolute = resolve(cwd, entry);
  // The bundler's own source is part of the key: a bundle built with other options is not reused.
  const key = createHash('sha256').update(absolute).update(BUNDLER_SOURCE).digest('hex').slice(0, 16);
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
    // Comments and whitespace out, pure ASCII (a comment's `→` makes V8 hold a whole chunk as a
    // two-byte string): less source for every process to scan and keep. Names stay as written.
    minifyWhitespace: true,
    charset: 'ascii',
    // Split at dynamic imports, as the sources are: a cluster primary that imports the server only
    // in its workers does not load the server's packages either.
    splitting: true,
    outdir: staging,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // For stack traces in source terms when wanted: with --enable-source-maps (NODE_OPTIONS) Node
    // reads the maps, eagerly, at load; the processes tests start do not pay for that by default.
    sourcemap: 'linked',
    logLevel: 'silent',
    absWorkingDir: dirname(entry),
    // CommonJS packages inside an ES module still call require() (for Node's own modules too).
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Packages resolve from each importing file and then from pnpm's hoisting folder, where the
    // runtime externals are found too: every package at the version the workspace's packages get.
    nodePaths: [HOISTED],
    plugins: [ownUrls],
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
