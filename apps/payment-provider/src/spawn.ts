/**
 * Start the fake provider as its own OS process (SPEC: "its own process"), the way `pnpm start`
 * and tests want it: on a free port, tied to the parent's life, ready once it prints its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface SpawnedProvider {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Stop it (SIGTERM: it closes cleanly) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  timeoutMs?: number;
  /** PROVIDER_LEDGER_FILE: the ledger survives a kill and a restart with the same file. */
  ledgerFile?: string;
  /**
   * A built provider (`pnpm start`'s bundle, `provider.mjs`) run by node itself, with small-heap
   * settings; default: `src/main.ts` through tsx.
   */
  entry?: string;
}

/**
 * @example
 * const provider = await spawnProvider();
 * const payments = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 2000 });
 * // …
 * await provider.stop();
 */
export async function spawnProvider(options: SpawnProviderOptions = {}): Promise<SpawnedProvider> {
  const args = options.entry ? ['--max-semi-space-size=2', options.entry] : ['--import', 'tsx', MAIN];
  const child = spawn(process.execPath, args, {
    cwd: PACKAGE_DIR,
    env: {
      ...(options.entry ? { MALLOC_ARENA_MAX: '2' } : {}),
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: options.host ?? '127.0.0.1',
      // stdin is a pipe from us: when this process dies, the provider sees it close and exits.
      PROVIDER_EXIT_WITH_PARENT: '1',
      ...(options.ledgerFile ? { PROVIDER_LEDGER_FILE: options.ledgerFile } : {}),
      // Inherited OTEL_* point its spans at the API's collector, under its own name.
      OTEL_SERVICE_NAME: 'quickeats-payment-provider',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  // An outer bound for a busy machine (the services' own, see test-support's processes.ts).
  const timeoutMs = options.timeoutMs ?? 240_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`payment provider did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const match = /payment provider listening on (http:\/\/\S+)/.exec(out);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`payment provider exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
