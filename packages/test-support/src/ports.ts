/**
 * Free TCP ports for the servers tests start (API processes, private PostgreSQL and Redis, HAProxy,
 * PgBouncer, vite), checked free by binding them, and taken from BELOW the kernel's ephemeral range.
 * A port the kernel hands out for port 0 comes from that range, where every outgoing connection of
 * the machine takes its local port too: between the check and the server's own listen, one of the
 * suite's thousands of connections could take it (a topology start died of EADDRINUSE in CI).
 * Nothing takes a port below the range unless it listens on it, and a port handed out here is not
 * handed out again by this process for a while, so two servers of one test never get the same one.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port this module hands out: above the registered services (PostgreSQL, Redis, brokers). */
const LOWEST = 10_000;

/** The start of the kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    if (Number.isInteger(n) && n > LOWEST + 1_000) return n;
  } catch {
    // not Linux: IANA's dynamic range starts at 49152
  }
  return 49_152;
}

const RANGE: readonly [number, number] = [LOWEST, ephemeralStart() - 1];
/** Ports handed out by this process recently (its servers may not be listening yet). */
const handedOut: number[] = [];
const REMEMBERED = 256;

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A port in `range` (default: from 10000 to just below the ephemeral range) that nothing listens on
 * now and that this process did not hand out recently.
 */
export async function freePort(
  host = '127.0.0.1',
  range: readonly [number, number] = RANGE,
): Promise<number> {
  const [low, high] = range;
  const size = high - low + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = low + ((start + i) % size);
    if (handedOut.includes(port)) continue;
    // Reserved while it is checked: concurrent calls never hand out the same port.
    handedOut.push(port);
    if (await bindable(port, host)) {
      if (handedOut.length > REMEMBERED) handedOut.shift();
      return port;
    }
    handedOut.splice(handedOut.indexOf(port), 1);
  }
  throw new Error(`no free port between ${low} and ${high} on ${host}`);
}
