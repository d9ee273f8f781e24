/**
 * What `pnpm start` promises in the README, with real processes: a `.env` file is read (and the
 * environment wins over it), and a second process on the same embedded (PGlite) data directory is
 * refused with a message naming the directory and the process holding it — while the first keeps
 * serving; once it stops, or when the holder is gone without cleaning up, the directory is free.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileOf } from '@quickeats/db/data-dir-lock';
import { API_DIR, freePort, scaledTimeout, serviceBundle, waitFor } from '@quickeats/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from './testing/test-app';

/**
 * `apps/api/src/main.ts` started from `cwd`, as `pnpm start` starts it — compiled ahead into the
 * service bundle rather than through tsx's loader, which transpiled the whole app again for every
 * start (the README test runs `pnpm start` itself, tsx included).
 */
async function startMain(cwd: string, env: Record<string, string>) {
  const main = await serviceBundle('src/main.ts', API_DIR);
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_WRITES_PER_USER: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

const stop = async (p: { child: ChildProcess; exited: Promise<number | null> }) => {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
};

describe('pnpm start', () => {
  const dirs: string[] = [];
  const running: ApiProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'quickeats-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reads .env from the directory it starts in; the environment wins over the file', async () => {
    const cwd = tempDir();
    const port = await freePort();
    writeFileSync(
      join(cwd, '.env'),
      [
        '# as .env.example invites',
        `PORT=${port}`,
        'HOST=127.0.0.1',
        `DATA_DIR=${join(cwd, 'pglite')}`,
        'SEED_ORDERS=3',
        'PUBLIC_BASE_URL=http://from-dotenv.test',
        'EXPOSE_SQL_STATEMENTS=true',
      ].join('\n'),
    );
    const api = await startMain(cwd, { NODE_ENV: 'development', EXPOSE_SQL_STATEMENTS: 'false' });
    try {
      const started = await waitFor<string>(
        () =>
          api.child.exitCode !== null
            ? 'exited'
            : fetch(`http://127.0.0.1:${port}/healthz`).then(
                (r) => (r.ok ? 'healthy' : false),
                () => false,
              ),
        { timeoutMs: scaledTimeout(180_000), description: 'the API on the port .env names' },
      );
      expect(started, api.output()).toBe('healthy');
      await waitFor(() => api.output().includes('listening on http://from-dotenv.test'), {
        description: 'the banner with PUBLIC_BASE_URL from .env',
      });
      expect(api.output()).toContain(`read ${join(cwd, '.env')}`);
      const res = await fetch(`http://127.0.0.1:${port}/api/v2/openapi.json`);
      expect(res.status).toBe(200);
      // EXPOSE_SQL_STATEMENTS=true in .env, false in the environment: the environment's value holds.
      expect(res.headers.get('x-sql-statements')).toBeNull();
    } finally {
      expect(await stop(api)).toBe(0);
    }
  });

  it('refuses a second process on the same PGlite directory, naming it and the holder', async () => {
    const dataDir = join(tempDir(), 'pglite');
    const first = await startApiProcess({ DATA_DIR: dataDir, SEED_ORDERS: '3' });
    running.push(first);
    expect(existsSync(lockFileOf(dataDir))).toBe(true);

    const second = await startMain(API_DIR, {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
    });
    expect(await second.exited).toBe(75);
    expect(second.output()).toContain(
      `The embedded database directory ${dataDir} is already in use by process ${first.child.pid}`,
    );
    expect(second.output()).toContain('DATA_DIR');

    // The first one never noticed.
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);

    expect(await first.stop()).toBe(0);
    expect(existsSync(lockFileOf(dataDir))).toBe(false);

    // Free again once the first stopped, even when its holder died without removing the lock file:
    // the pid of a process that has exited is stale.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(lockFileOf(dataDir), `${gone.pid}\n`);
    const third = await startApiProcess({ DATA_DIR: dataDir, SEED_ORDERS: '3' });
    running.push(third);
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
    expect(readFileSync(lockFileOf(dataDir), 'utf8').trim()).toBe(String(third.child.pid));
  });
});
