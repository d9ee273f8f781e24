/**
 * Serve the provider app on a real TCP port (Hono on @hono/node-server). Tests start it on port 0 and
 * read the chosen port from the returned URL; `main.ts` starts it as its own process.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createProviderApp } from './app';
import { Ledger } from './ledger';

export interface StartProviderOptions {
  /** 0 picks a free port. */
  port?: number;
  hostname?: string;
  /** Journal file of the ledger (see ledger.ts); absent → in memory only. */
  ledgerFile?: string | undefined;
}

export interface RunningProvider {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  url: string;
  port: number;
  /** Stop listening, cut open connections (held responses included) and wait until closed. */
  close(): Promise<void>;
}

/**
 * Start a fake provider with fresh in-memory state.
 *
 * @example
 * const provider = await startProvider({ port: 0 });
 * const payments = new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 2000 });
 * // …
 * await provider.close();
 */
export async function startProvider(options: StartProviderOptions = {}): Promise<RunningProvider> {
  const hostname = options.hostname ?? '127.0.0.1';
  const shutdown = new AbortController();
  const app = createProviderApp({
    shutdown: shutdown.signal,
    ledger: new Ledger({ journal: options.ledgerFile }),
  });

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    ) as Server;
    server.once('error', reject);
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        // close() alone waits for keep-alive and held connections; a test suite must not.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
