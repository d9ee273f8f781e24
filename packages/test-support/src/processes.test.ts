import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchOnFreshConnection } from './fresh-fetch';
import { startServiceProcess } from './processes';

// A tiny service written as plain JavaScript, so the test does not depend on any app.
const dir = mkdtempSync(join(tmpdir(), 'qe-test-support-'));
writeFileSync(
  join(dir, 'service.mjs'),
  `import { createServer } from 'node:http';
if (process.env.FAIL) { console.error('bad config: FAIL is set'); process.exit(3); }
createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : 'hello')).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));
`,
);
// A service that finds its port taken (it takes it itself first) the first TAKEN_TIMES times it starts.
writeFileSync(
  join(dir, 'taken.mjs'),
  `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
const file = process.env.TRIES_FILE;
const tries = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\\n').length : 0;
appendFileSync(file, process.env.PORT + '\\n');
const serve = () => createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
if (tries < Number(process.env.TAKEN_TIMES)) serve().once('listening', serve);
else serve();
process.on('SIGTERM', () => process.exit(0));
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startServiceProcess', () => {
  it('starts a process on a free port, waits until /healthz answers, and stops it', async () => {
    const service = await startServiceProcess({
      name: 'svc',
      cwd: dir,
      script: 'service.mjs',
      tsx: false,
      env: process.env,
    });
    try {
      expect(await (await fetch(`${service.url}/x`)).text()).toBe('hello');
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('fails with the process output when it exits before becoming healthy', async () => {
    await expect(
      startServiceProcess({
        name: 'svc',
        cwd: dir,
        script: 'service.mjs',
        tsx: false,
        env: { ...process.env, FAIL: '1' },
      }),
    ).rejects.toThrow(/svc exited with 3:[\s\S]*bad config: FAIL is set/);
  });
});

describe('startServiceProcess when the free port is taken before the process listens', () => {
  const taken = (times: number, file: string) =>
    startServiceProcess({
      name: 'svc',
      cwd: dir,
      script: 'taken.mjs',
      tsx: false,
      env: { ...process.env, TAKEN_TIMES: String(times), TRIES_FILE: join(dir, file) },
    });
  const ports = (file: string) => readFileSync(join(dir, file), 'utf8').trim().split('\n');

  it('starts it again on another port', async () => {
    const service = await taken(1, 'once.txt');
    try {
      const tried = ports('once.txt');
      expect(tried).toHaveLength(2);
      const [first, second] = tried;
      expect(second).not.toBe(first);
      expect(service.url).toBe(`http://127.0.0.1:${second}`);
      expect(await (await fetch(service.url)).text()).toBe('ok');
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('gives up after three ports, with the output', async () => {
    await expect(taken(10, 'always.txt')).rejects.toThrow(/svc exited with 1:[\s\S]*EADDRINUSE/);
    expect(ports('always.txt')).toHaveLength(3);
  });
});

describe('fetchOnFreshConnection', () => {
  it('sends method, headers and body on a connection of its own and hands back a Response', async () => {
    const { createServer } = await import('node:http');
    const seen: { method?: string; header?: string; body: string; connection?: string } = { body: '' };
    const server = createServer((req, res) => {
      seen.method = req.method;
      seen.header = req.headers['x-test'] as string;
      seen.connection = req.headers.connection;
      req.on('data', (d) => {
        seen.body += d;
      });
      req.on('end', () => res.writeHead(201, { 'x-answer': 'yes' }).end('created'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const res = await fetchOnFreshConnection(`http://127.0.0.1:${port}/x`, {
        method: 'POST',
        headers: { 'x-test': 'one' },
        body: '{"a":1}',
      });
      expect([res.status, res.headers.get('x-answer'), await res.text()]).toEqual([201, 'yes', 'created']);
      expect(seen).toEqual({ method: 'POST', header: 'one', body: '{"a":1}', connection: 'close' });
    } finally {
      server.close();
    }
  });
});
