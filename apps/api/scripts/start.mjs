/**
 * `pnpm start`: the API as a bundle built on this machine, not TypeScript through tsx (issue 15,
 * memory: the tree held ~1.2 GB under tsx — two nested pnpm processes, tsx's CLI, three esbuild
 * services, the transpiler's caches in every process). The first start (and any start after a
 * source file, the lockfile or a migration changed) builds `.start/build-…/` with esbuild, a few
 * seconds, in a child process; otherwise the last build is reused after hashing the files it was
 * built from. Then this very process runs the bundle (the node:cluster primary, which also hosts the
 * fake payment provider), so the tree is: pnpm, this process, its worker.
 *
 * Several starts at once each build their own directory and the last one to finish becomes
 * `current.json`; the three newest builds are kept (a running API forks replacement workers from
 * its own). Nothing here is committed (`.start/` is ignored).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const BUILDS = here('../.start/');
const CURRENT = `${BUILDS}current.json`;
const KEEP = 3;
/** Inputs esbuild does not list: what it resolved them with, the migrations copied beside the bundle, this script. */
const ALWAYS = [
  here('../../../pnpm-lock.yaml'),
  here('../../../packages/db/drizzle/meta/_journal.json'),
  here('./bundle.mjs'),
  here('./start.mjs'),
];

const hashOf = (file) => {
  try {
    return createHash('sha1').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
};

/** The current build when every file it was built from is unchanged. */
function reusable() {
  try {
    const current = JSON.parse(readFileSync(CURRENT, 'utf8'));
    if (!existsSync(`${current.dir}/main.mjs`)) return undefined;
    for (const [file, hash] of Object.entries(current.inputs)) if (hashOf(file) !== hash) return undefined;
    return current;
  } catch {
    return undefined;
  }
}

async function rebuild() {
  const started = Date.now();
  mkdirSync(BUILDS, { recursive: true });
  const dir = `${BUILDS}build-${Date.now()}-${process.pid}`;
  const [{ bundle }, esbuild] = await Promise.all([import('./bundle.mjs'), import('esbuild')]);
  const metafile = await bundle({ outdir: dir, variant: 'start' });
  await esbuild.stop(); // its service process would otherwise stay in the tree
  const files = [
    ...Object.keys(metafile.inputs)
      .filter((p) => !p.includes('node_modules'))
      .map((p) => resolve(p)),
    ...ALWAYS,
  ];
  const current = { dir, inputs: Object.fromEntries(files.map((f) => [f, hashOf(f)])) };
  writeFileSync(`${CURRENT}.${process.pid}`, JSON.stringify(current));
  renameSync(`${CURRENT}.${process.pid}`, CURRENT);
  const old = readdirSync(BUILDS)
    .filter((d) => d.startsWith('build-') && `${BUILDS}${d}` !== dir)
    .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))
    .slice(KEEP - 1);
  for (const d of old) rmSync(`${BUILDS}${d}`, { recursive: true, force: true });
  console.error(`built the API for pnpm start in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
}

if (process.argv[2] === '--build') {
  await rebuild();
  process.exit(0);
}
// Built by a child process: this one, the cluster primary, never loads esbuild.
if (!reusable())
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--build'], { stdio: 'inherit' });
const current = reusable();
if (!current) throw new Error(`pnpm start: no usable build in ${BUILDS} after building`);
const { dir } = current;
// The node:cluster primary forks its workers from process.argv[1]: the bundle, not this script.
process.argv[1] = `${dir}/main.mjs`;
await import(pathToFileURL(`${dir}/main.mjs`).href);
