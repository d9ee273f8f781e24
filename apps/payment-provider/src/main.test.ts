/**
 * The provider as its own process, started the way `pnpm start` does (`tsx src/main.ts`): the SPEC
 * wants it out of process in tests, so the API's tests meet it over a real network boundary.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from './http-payment-provider';
import { providerAdmin } from './provider-admin';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  // tsx runs main.ts in a child of its own; killing the process group reaps both if a test failed early.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGKILL');
    }
  }
});

function start(env: Record<string, string>) {
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves with the URL the process printed; rejects if it exits first. */
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /payment provider listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(([code]) => reject(new Error(`provider exited with ${code}: ${stderr}`)));
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

describe('main.ts as a separate process', () => {
  it('Should serve on the PORT it is given, charge once per key, and exit cleanly on SIGTERM', async () => {
    const proc = start({ PORT: '0' });
    const url = await proc.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const payments = new HttpPaymentProvider({ baseUrl: url, timeoutMs: 5000 });
    const req = {
      idempotencyKey: 'pay:proc-1',
      orderId: 'order-1',
      amount: { amount: 700, currency: 'EUR' },
    };
    const first = await payments.charge(req);
    expect(await payments.charge(req)).toEqual(first);
    expect((await providerAdmin(url).ledger()).charges).toEqual([first]);

    proc.child.kill('SIGTERM');
    const [code] = await proc.exited;
    expect(code).toBe(0);
  });

  it('Should refuse an invalid PORT with a message and a non-zero exit', async () => {
    const proc = start({ PORT: 'not-a-port' });
    const [code] = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output().stderr).toContain('invalid payment provider configuration: PORT:');
    await expect(proc.url).rejects.toThrow(/exited with 1/);
  });
});
