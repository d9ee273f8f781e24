/**
 * The README's shell examples, executed as written against a live API started the README's way
 * (`pnpm start`, embedded PGlite in a fresh directory). They run in one bash session, in README
 * order, so a variable an example sets (`B`, `TOKEN`, `R`, `M`, `ORDER`) is what the next one uses;
 * the only change is the address (`localhost:3000` → the port this test's API got). The examples
 * that stream (`curl -N`) run until their first heartbeat. Every `sh` block of the README is either
 * executed here or listed below with the reason it is not, so a new example cannot slip by.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, scaledTimeout, waitFor } from '@quickeats/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  line: number;
  text: string;
}

const shellBlocks: Block[] = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => ({
  line: README.slice(0, m.index).split('\n').length,
  text: m[1]!,
}));

/** Blocks not executed, by a line they contain, with the reason. */
const NOT_RUN: Record<string, string> = {
  'npx -y pnpm@10.34.8 install --frozen-lockfile && npx -y pnpm@10.34.8 start':
    'installs pnpm from the registry and runs the whole suite; the API this test calls is started with its `pnpm start`, and CI (.ci/run) runs the second line',
  'export DATABASE_URL=postgres://postgres@127.0.0.1:5432/quickeats':
    'a production deployment (own database, three processes): the bundle is tested by build.test.ts, several processes by the cross-process tests',
  'docker run -d -p 16686:16686 -p 4318:4318 jaegertracing/jaeger:latest':
    'needs Docker and an image from a registry; tracing to an OTLP collector is tested by tracing.test.ts',
  'pnpm apps   #': 'two Vite dev servers; the sample apps have their own browser tests',
  'pnpm test          #': 'the whole suite (this test is part of it); CI runs it',
  'pnpm topology up':
    'starts a primary and a replica PostgreSQL, PgBouncer, HAProxy and 3 API processes; topology.test.ts starts the same topology through the same code',
  'curl -s localhost:3000/api/v2/webhook-endpoints':
    "needs an owner's token and a receiver reachable at the URL; registration and signed delivery are tested by webhooks/webhooks.test.ts",
};

/** What each executed block must have printed (its stdout and stderr), by a line it contains. */
const EXPECT: Record<string, RegExp[]> = {
  'TOKEN=$(curl -s -X POST $B/api/v2/auth/token': [],
  '# a restaurant and one of its dishes': [
    /^201 ETag: "v1"$/m,
    /"status":"paid"/,
    /"data":\[\{"type":"orders"/,
  ],
  'curl -s $B/graphql': [/"data":\{"orders":\{"nodes":\[\{"id":/],
  'curl -N localhost:3000/api/v2/event-stream': [/: heartbeat/],
  'curl -s localhost:3000/api/v2/me': [/"email":"customer@quickeats.test"/],
};

/** Checks after a block, in the same session (the variables it must have set). */
const AFTER: Record<string, string> = {
  'TOKEN=$(curl -s -X POST $B/api/v2/auth/token': 'test -n "$TOKEN" && test "$TOKEN" != null',
  '# a restaurant and one of its dishes':
    'for v in "$R" "$M" "$ORDER"; do test -n "$v" && test "$v" != null || { echo "R, M or ORDER unset"; exit 1; }; done',
};

const keyOf = (table: Record<string, unknown>, block: Block) =>
  Object.keys(table).find((k) => block.text.includes(k));

describe('README shell examples', () => {
  let api: ChildProcess;
  let port: number;
  let output = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'quickeats-readme-'));

  beforeAll(async () => {
    port = await freePort();
    // `pnpm start` at the repository root, as the README says (its own process group, to stop it whole).
    api = spawn('pnpm', ['start'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(dataDir, 'pglite'),
        SEED_ORDERS: '20',
        EVENTS_HEARTBEAT_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (d) => {
      output += d;
    });
    api.stderr?.on('data', (d) => {
      output += d;
    });
    const state = await waitFor<string>(
      () =>
        api.exitCode !== null
          ? 'exited'
          : fetch(`http://127.0.0.1:${port}/readyz`).then(
              (r) => (r.ok ? 'ready' : false),
              () => false,
            ),
      { timeoutMs: scaledTimeout(240_000), description: 'pnpm start to be ready' },
    );
    expect(state, output).toBe('ready');
  });

  afterAll(async () => {
    if (api?.pid && api.exitCode === null) {
      const exited = new Promise((resolve) => api.once('exit', resolve));
      process.kill(-api.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every sh block is executed or has a stated reason not to be', () => {
    expect(shellBlocks.length).toBeGreaterThan(5);
    const unclassified = shellBlocks.filter((b) => !keyOf(NOT_RUN, b) && !keyOf(EXPECT, b));
    expect(unclassified.map((b) => `README.md:${b.line}`)).toEqual([]);
    for (const key of [...Object.keys(NOT_RUN), ...Object.keys(EXPECT)]) {
      expect(
        shellBlocks.some((b) => b.text.includes(key)),
        `no README block contains ${key}`,
      ).toBe(true);
    }
  });

  it('runs, in README order in one bash session, and each prints what the README says', async () => {
    const blocks = shellBlocks.filter((b) => keyOf(EXPECT, b));
    const here = (text: string) => text.replaceAll('localhost:3000', `127.0.0.1:${port}`);
    const streaming = (b: Block) => /^curl -N /m.test(b.text);
    // One script: each block between markers; a streaming block's lines run in the background until
    // each has printed a heartbeat (then they are stopped), the others as written under `set -e`.
    const script = ['set -euo pipefail'];
    blocks.forEach((b, i) => {
      script.push(`echo '@@start ${i}@@'`);
      if (streaming(b)) {
        const lines = here(b.text).split('\n').filter(Boolean);
        lines.forEach((line, j) => {
          script.push(`( ${line} ) > "$TMPDIR/stream-${i}-${j}" 2>&1 & pid_${j}=$!`);
        });
        lines.forEach((_, j) => {
          script.push(
            `for _ in $(seq 600); do grep -q ': heartbeat' "$TMPDIR/stream-${i}-${j}" && break; sleep 0.1; done`,
            `kill $pid_${j}; cat "$TMPDIR/stream-${i}-${j}"`,
          );
        });
      } else {
        script.push(here(b.text));
      }
      const after = keyOf(AFTER, b);
      if (after) script.push(AFTER[after]!);
      script.push(`echo '@@end ${i}@@'`);
    });
    const tmp = mkdtempSync(join(tmpdir(), 'quickeats-readme-sh-'));
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const sh = spawn('bash', ['-c', script.join('\n')], {
        cwd: tmp,
        env: { PATH: process.env.PATH, HOME: tmp, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      sh.stdout.on('data', (d) => {
        out += d;
      });
      sh.stderr.on('data', (d) => {
        out += d;
      });
      sh.on('exit', (code) => resolve({ code, out }));
    });
    rmSync(tmp, { recursive: true, force: true });
    expect(result.code, result.out).toBe(0);
    blocks.forEach((b, i) => {
      const start = result.out.indexOf(`@@start ${i}@@`);
      const end = result.out.indexOf(`@@end ${i}@@`);
      expect(start, `README.md:${b.line} did not run`).toBeGreaterThanOrEqual(0);
      expect(end, `README.md:${b.line} did not finish:\n${result.out.slice(start)}`).toBeGreaterThan(start);
      const printed = result.out.slice(start, end);
      for (const pattern of EXPECT[keyOf(EXPECT, b)!]!) {
        expect(printed, `README.md:${b.line}`).toMatch(pattern);
      }
      expect(printed, `README.md:${b.line}`).not.toMatch(/command not found|"status":\s*5\d\d/);
    });
  });
});
