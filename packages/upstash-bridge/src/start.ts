/**
 * Starts the bridge as a real HTTP server on a local port, for tests and the CLI.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createUpstashBridgeApp } from './bridge';
import { connectRedis } from './redis';

export interface UpstashBridgeOptions {
  /** The real Redis server commands go to. */
  redisUrl?: string;
  /** Bearer token clients must send; a random one is generated when omitted. */
  token?: string;
  /** 0 (the default) picks a free port, so parallel test runs never collide. */
  port?: number;
  /** Loopback by default: the bridge is a test and development tool, not a service to expose. */
  host?: string;
}

export interface UpstashBridge {
  /** Base URL to pass as `url` to `new Redis({ url, token })` from `@upstash/redis`. */
  url: string;
  token: string;
  /** How many HTTP requests (REST calls) the bridge has received so far: what a client costs. */
  requests(): number;
  /** Stops accepting requests, drops kept-alive connections and closes the Redis pool. */
  close(): Promise<void>;
}

/**
 * Starts an Upstash-REST-compatible server in front of a real Redis.
 *
 * @example
 * ```ts
 * import { Redis } from '@upstash/redis';
 * const bridge = await startUpstashBridge({ redisUrl: 'redis://127.0.0.1:6379' });
 * const redis = new Redis({ url: bridge.url, token: bridge.token });
 * await redis.set('greeting', { hello: 'world' });
 * await redis.get('greeting'); // { hello: 'world' }
 * await bridge.close();
 * ```
 */
export async function startUpstashBridge({
  redisUrl = 'redis://127.0.0.1:6379',
  token = randomBytes(24).toString('base64url'),
  port = 0,
  host = '127.0.0.1',
}: UpstashBridgeOptions = {}): Promise<UpstashBridge> {
  const redis = await connectRedis(redisUrl);
  // createAdaptorServer without TLS/HTTP2 options builds a plain node:http server.
  const server = createAdaptorServer({ fetch: createUpstashBridgeApp({ redis, token }).fetch }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await redis.close();
    throw error;
  }
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    token,
    requests: () => requests,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // @upstash/redis uses keep-alive; without this close() would wait for those sockets.
        server.closeAllConnections();
        await stopped;
        await redis.close();
      })();
      return closing;
    },
  };
}
