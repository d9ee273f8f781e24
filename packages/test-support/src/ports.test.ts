import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './ports';

const servers: Server[] = [];
const listen = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('freePort', () => {
  it('hands out ports below the kernel ephemeral range, where no outgoing connection takes one', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(Number(low));
    }
    // Concurrent calls in one process never get the same port.
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('never hands out a port something listens on', async () => {
    // A range of five ports, four of them taken: the free one is the only answer.
    const base = await freePort('127.0.0.1', [10_000, 20_000]);
    const range = [base, base + 4] as const;
    for (const p of [0, 1, 3, 4]) await listen(base + p);
    expect(await freePort('127.0.0.1', range)).toBe(base + 2);
    // Handed out once, it is not handed out again (its server may not be listening yet).
    await expect(freePort('127.0.0.1', range)).rejects.toThrow(/no free port/);
  });
});
