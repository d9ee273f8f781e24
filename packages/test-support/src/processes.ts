/**
 * Real service processes for tests and benchmarks: start a TypeScript entry point (compiled ahead
 * into one module, see service-bundle.ts) as its own process on a free port, wait until `/healthz` answers, stop it with a signal (SIGKILL after
 * a grace period). Several of them on one database is how cross-process guarantees are proven.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports';
import { serviceBundle } from './service-bundle';
import { scaledTimeout } from './wait';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Send `signal` (default SIGTERM) and resolve with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServiceProcessOptions {
  name: string;
  /** Directory whose package resolves tsx and the script's imports. */
  cwd: string;
  script: string;
  /** The script is TypeScript source (run as its service bundle); false for built JavaScript. Default true. */
  tsx?: boolean;
  /** The complete environment (PORT and HOST are set here). */
  env: NodeJS.ProcessEnv;
  /**
   * Outer bound for becoming healthy (default 240 s, scaled by TEST_TIME_SCALE; inside the 300 s hook
   * bound): startup on a busy machine is slow, and the wait ends as soon as the process answers.
   */
  timeoutMs?: number;
}

/** Tries at a port before giving up when each one was taken by the time the process listened. */
const PORT_TRIES = 3;

/**
 * A free port is free when checked, not necessarily when the process listens: another test process
 * may have picked the same one meanwhile (freePort keeps out of the ephemeral range, where outgoing
 * connections took ports: a topology start in CI died of `EADDRINUSE`). A process that exits with it
 * is started again on a new port; any other exit is the process's own failure.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServiceProcessOnce(options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= PORT_TRIES) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startServiceProcessOnce(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const { name, cwd, script, env, tsx = true } = options;
  const timeoutMs = scaledTimeout(options.timeoutMs ?? 240_000);
  const port = String(await freePort());
  const entry = tsx ? await serviceBundle(script, cwd) : script;
  // No --enable-source-maps: it makes Node read and parse every chunk's map at load (~0.2 s of CPU
  // per API process). NODE_OPTIONS=--enable-source-maps (inherited) maps a failing process's traces.
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { ...env, PORT: port, HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `${name} exited with ${child.exitCode}:\n${out}`;
      throw out.includes(`EADDRINUSE: address already in use 127.0.0.1:${port}`)
        ? new PortTaken(message)
        : new Error(message);
    }
    const healthy = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false, // not listening yet
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become healthy in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        // Already gone (exited, or killed by a signal such as a test's SIGKILL): 'exit' will not fire again.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', (code) => {
          clearTimeout(kill);
          resolve(code);
        });
        child.kill(signal);
      }),
  };
}
