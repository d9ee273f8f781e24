/**
 * The SDK as a frontend team in its own repository gets it: build (tsdown) → `pnpm pack` → publint
 * and arethetypeswrong on the tarball → `npm install` of the tarball into an empty project OUTSIDE
 * the workspace → the consumer's `tsc` (its `@ts-expect-error` lines must be errors; only
 * declaration files are read, none from this repository) → the compiled consumer run with plain
 * `node` against a live API: list, create, pay, an action, a stale-version error.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu, startTestStack, type TestStack } from './testing';

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const workspaceDir = join(sdkDir, '..', '..');
const bin = (name: string) => join(sdkDir, 'node_modules', '.bin', name);
const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc');
const MINUTES = 60_000;

/** The catalog's version of a dependency (the consumer installs what the workspace pins). */
async function catalogVersion(name: string): Promise<string> {
  const yaml = await readFile(join(workspaceDir, 'pnpm-workspace.yaml'), 'utf8');
  const line = yaml.split('\n').find((l) => l.trim().replace(/"/g, '').startsWith(`${name}:`));
  const version = line?.split(':').at(-1)?.trim();
  if (!version) throw new Error(`${name} is not in the catalog`);
  return version;
}

let work: string;
let tarball: string;
let project: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'quickeats-sdk-consumer-'));
  await run('pnpm', ['run', 'build'], { cwd: sdkDir, maxBuffer: 16 << 20 });
  await run('pnpm', ['pack', '--pack-destination', work], { cwd: sdkDir, maxBuffer: 16 << 20 });
  const name = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error('pnpm pack wrote no tarball');
  tarball = join(work, name);
}, 10 * MINUTES);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built ESM and declarations only, and depends on no workspace package', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    const { stdout: manifest } = await run('tar', ['xzf', tarball, '-O', 'package/package.json']);
    const pkg = JSON.parse(manifest) as Record<string, Record<string, string>>;
    for (const field of ['dependencies', 'peerDependencies'])
      expect(
        Object.keys(pkg[field] ?? {}).filter((d) => d.startsWith('@quickeats/')),
        field,
      ).toEqual([]);
    console.log(`tarball: ${(await stat(tarball)).size} bytes`);
  });

  it('is publint-clean (strict)', async () => {
    const { stdout } = await run(bin('publint'), ['--strict', tarball]);
    expect(stdout).toContain('All good');
  });

  it('resolves correctly for node16 and bundlers (arethetypeswrong, ESM-only profile)', async () => {
    const { stdout } = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'json'], {
      maxBuffer: 16 << 20,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(stdout) as { analysis: { problems: unknown[] }; problems?: unknown };
    const ignored = ['node10', 'node16-cjs'];
    const problems = (report.analysis.problems as { resolutionKind?: string; kind: string }[]).filter(
      (p) => !ignored.includes(p.resolutionKind ?? ''),
    );
    expect(problems).toEqual([]);
  });
});

describe('an outside project using the published package', () => {
  let stack: TestStack;
  beforeAll(async () => {
    project = join(work, 'consumer');
    await cp(join(sdkDir, 'consumer'), project, { recursive: true });
    const deps: Record<string, string> = { '@quickeats/sdk': `file:${tarball}` };
    for (const dep of ['react', '@tanstack/react-query', '@trpc/tanstack-react-query', '@types/react'])
      deps[dep] = await catalogVersion(dep);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: project,
      maxBuffer: 16 << 20,
    });
    stack = await startTestStack({ orders: 0 });
  }, 10 * MINUTES);
  afterAll(async () => {
    await stack?.close();
  });

  it('installs with npm from the tarball alone: no @quickeats package but the SDK', async () => {
    expect(await readdir(join(project, 'node_modules', '@quickeats'))).toEqual(['sdk']);
  });

  it('shares one tRPC with @trpc/tanstack-react-query (two copies made tsc compare their types: ~12x the type instantiations)', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable', '@trpc/server', '@trpc/client'], {
      cwd: project,
    });
    const copies = stdout
      .trim()
      .split('\n')
      .filter((p) => /node_modules\/@trpc\/(server|client)$/.test(p));
    expect(copies.map((p) => p.slice(project.length + 1)).sort()).toEqual([
      'node_modules/@trpc/client',
      'node_modules/@trpc/server',
    ]);
  });

  it('type-checks with tsc: both clients and the React entry, every @ts-expect-error an error', async () => {
    // bash's `time` reports the child's CPU besides the wall clock: on a shared machine the wall
    // clock mostly measures the load, the CPU time what the consumer's tsc costs.
    const { stdout, stderr } = await run(
      'bash',
      [
        '-c',
        'TIMEFORMAT="%R %U %S"; time "$0" "$@"',
        process.execPath,
        tsc,
        '--noEmit',
        '--listFiles',
        '-p',
        project,
      ],
      { cwd: project, maxBuffer: 64 << 20 },
    ).catch((err: { stdout?: string }) => {
      throw new Error(`consumer tsc failed:\n${err.stdout}`);
    });
    const [wall, user, sys] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    console.log(
      `consumer type-check: wall ${wall} s, CPU ${((user ?? 0) + (sys ?? 0)).toFixed(2)} s (user ${user}, sys ${sys}), load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    const libDir = join(tsc, '..', '..', 'lib'); // TypeScript's own lib.*.d.ts
    const files = stdout
      .trim()
      .split('\n')
      .filter((f) => !f.startsWith(libDir));
    // Only declaration files besides the consumer's own, and nothing read from this repository.
    expect(files.filter((f) => f.startsWith(workspaceDir))).toEqual([]);
    expect(
      files.filter((f) => f.includes('/node_modules/') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')),
    ).toEqual([]);
  });

  it('runs with plain node against a live API: list, create, pay, accept, a stale version refused', async () => {
    await run(process.execPath, [tsc, '-p', project], { cwd: project, maxBuffer: 16 << 20 });
    const menu = await demoMenu(stack);
    const { stdout } = await run(
      process.execPath,
      [join(project, 'out', 'consumer.js'), stack.apiUrl, menu.restaurantId, menu.menuItemIds[0] ?? ''],
      { cwd: project },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toEqual({
      restaurants: expect.any(Number),
      created: { status: 'pending', version: 1 },
      paid: { status: 'paid', version: 2 },
      listedPaid: true,
      restStatus: 'paid',
      accepted: { status: 'accepted', version: 3 },
      stale: 'PRECONDITION_FAILED',
    });
    expect(result.restaurants).toBeGreaterThan(0);
  });
});
