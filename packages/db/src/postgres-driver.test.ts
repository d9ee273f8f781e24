/**
 * postgres.js 3.4.x crashes the whole process when a query is written to a connection whose socket
 * has already closed (porsager/postgres issues 1154 and 1208, upstream fix proposed in PR 1168):
 * the write is deferred with `setImmediate`, finds `socket === null` and throws from the timer, where
 * no `await` can catch it. A transaction does exactly this when PostgreSQL goes away mid-way — its
 * `ROLLBACK` goes to the connection it holds — so the API died on every database restart.
 * `patches/postgres@3.4.9.patch` guards the write and rejects the query instead.
 *
 * The scenario runs in a child process because the bug kills the process it happens in.
 *
 * The same patch makes the pool hand a query the idle connection used last (LIFO) instead of the one
 * idle longest: one-at-a-time queries no longer cycle through every connection of the pool.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

// A reserved connection (and a transaction's connection, the same mechanism) whose backend is
// terminated: once the client has seen the close, every further query is written to a null socket.
const SCRIPT = `
import postgres from 'postgres';
const url = process.env.DB_URL;
let closed;
const closedOnce = new Promise((resolve) => { closed = resolve; });
const sql = postgres(url, { max: 2, onnotice() {}, onclose: () => closed() });
const admin = postgres(url, { max: 1, onnotice() {} });
const settle = (q) => q.then(() => 'ok', (e) => e.code ?? String(e));

const reserved = await sql.reserve();
const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
await admin\`select pg_terminate_backend(\${pid})\`;
await closedOnce;
const first = await settle(reserved\`select 1\`);
const second = await settle(reserved\`select 1\`);
reserved.release();

const tx = await settle(sql.begin(async (t) => {
  const [{ pid }] = await t\`select pg_backend_pid() as pid\`;
  await admin\`select pg_terminate_backend(\${pid})\`;
  await t\`select pg_sleep(5)\`;
}));
console.log(JSON.stringify({ first, second, tx }));
await admin.end();
await sql.end({ timeout: 1 });
`;

function runNode(script: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A hung query is a failure too, not a stuck suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('postgres.js with a connection closed under it', () => {
  it('rejects the queries with a connection error and the process lives on', async () => {
    const result = await runNode(SCRIPT, { DB_URL: db.url });
    expect(result.stderr).not.toContain("Cannot read properties of null (reading 'write')");
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout.trim()) as { first: string; second: string; tx: string };
    expect(outcome.first).toMatch(/^CONNECTION_|^ECONNRESET$/);
    expect(outcome.second).toMatch(/^CONNECTION_|^ECONNRESET$/);
    // The transaction's statement fails (connection gone) and its ROLLBACK does not crash the process.
    expect(outcome.tx).not.toBe('ok');
  });
});

describe('postgres.js pool: the idle connection used last serves the next query', () => {
  it('one-at-a-time queries stay on one backend after every connection of the pool was opened', async () => {
    const sql = postgres(db.url, { max: 4, onnotice: () => {} });
    try {
      // Four at once open all four connections (each holds its backend until all four arrived).
      const opened = await Promise.all(
        Array.from(
          { length: 4 },
          () => sql<{ pid: number }[]>`select pg_backend_pid() as pid, pg_sleep(0.05)`,
        ),
      );
      expect(new Set(opened.map(([row]) => row!.pid)).size).toBe(4);
      const pids: number[] = [];
      for (let i = 0; i < 12; i++) {
        const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
        pids.push(row!.pid);
      }
      // LIFO: the connection that just answered is the one idle last, so it answers again. Upstream's
      // FIFO order sent each query to the connection idle longest: four backends in turn.
      expect(new Set(pids).size).toBe(1);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
