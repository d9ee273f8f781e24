import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
