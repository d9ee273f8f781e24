/**
 * `spawnProvider`: the provider as a child process that is ready when the promise resolves and that
 * dies with its parent — `pnpm start` relies on both.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HttpPaymentProvider } from './http-payment-provider';
import { providerAdmin } from './provider-admin';
import { spawnProvider } from './spawn';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

async function refusesConnections(url: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`${url}/v1/ledger`, { signal: AbortSignal.timeout(1000) });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('spawnProvider', () => {
  it('Should resolve once the child serves, and stop it cleanly on SIGTERM', async () => {
    const provider = await spawnProvider();
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const payments = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 5000 });
    const charge = await payments.charge({
      idempotencyKey: 'spawn-1',
      orderId: 'order-1',
      amount: { amount: 100, currency: 'EUR' },
    });
    expect((await providerAdmin(provider.url).ledger()).charges).toEqual([charge]);
    expect(await provider.stop()).toBe(0);
    expect(await refusesConnections(provider.url, 5000)).toBe(true);
  });

  it('Should exit when its parent is killed with SIGKILL, so it never outlives it', async () => {
    // A parent that spawns a provider, prints its URL and waits forever.
    const parent = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const { spawnProvider } = await import('./src/spawn.ts'); const p = await spawnProvider(); console.log('URL ' + p.url); setInterval(() => {}, 1000);",
      ],
      { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    parent.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    parent.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      parent.stdout?.on('data', () => {
        const m = /URL (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited with ${code}: ${out}`)));
    });
    expect((await fetch(`${url}/v1/ledger`)).status).toBe(200);

    parent.kill('SIGKILL');
    expect(await refusesConnections(url, 10_000)).toBe(true);
  });
});
