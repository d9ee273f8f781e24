import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { createLogger, prettyStream } from './logger';

describe('logger', () => {
  it('writes JSON lines without trace ids while tracing is off', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger('info', sink).info({ orderId: 'o-1' }, 'hello');
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ msg: 'hello', orderId: 'o-1', service: 'quickeats-api' });
    expect(record).not.toHaveProperty('trace_id');
  });

  it('prints one readable line per record in the pretty format', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    });
    const stream = prettyStream(sink);
    expect(stream).not.toBeNull();
    createLogger('info', stream!).info({ status: 200 }, 'request');
    await expect.poll(() => out, { timeout: 30_000 }).toContain('request');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request \{"status":200\}\n$/);
  });

  it('prints readable lines in development and JSON in production unless LOG_FORMAT says otherwise', () => {
    const base = {
      AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'),
      PAYMENT_PROVIDER_URL: 'http://127.0.0.1:1',
      DATABASE_URL: 'postgres://quickeats@127.0.0.1:5432/quickeats',
    };
    expect(loadConfig({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
