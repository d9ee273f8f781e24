/**
 * The CLI as a real process (`node --import tsx src/main.ts`, what `pnpm start` runs).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from '@upstash/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from './test-support';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

function startCli(env: Record<string, string>) {
  const { UPSTASH_BRIDGE_TOKEN: _drop, ...inherited } = process.env;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const listening = new Promise<string>((resolve, reject) => {
    child?.stdout?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`CLI exited before listening: ${stderr}`)));
  });
  return { process: child, listening, exited, stderr: () => stderr };
}

describe('upstash-bridge CLI', () => {
  it('serves @upstash/redis on the printed URL and exits cleanly on SIGTERM', async () => {
    const cli = startCli({ PORT: '0', REDIS_URL: testRedisUrl, UPSTASH_BRIDGE_TOKEN: 'cli-token' });
    const url = await cli.listening;
    // PING answers the PONG status, base64-encoded by default: a full round trip through the CLI.
    expect(await new Redis({ url, token: 'cli-token' }).ping()).toBe('PONG');
    cli.process.kill('SIGTERM');
    expect(await cli.exited).toEqual([0, null]);
  });

  it('exits with status 1 and names the variable when the token is missing', async () => {
    const cli = startCli({ PORT: '0' });
    const [code] = await cli.exited;
    expect(code).toBe(1);
    expect(cli.stderr()).toContain('UPSTASH_BRIDGE_TOKEN');
    await expect(cli.listening).rejects.toThrow(/exited before listening/);
  });
});
