import { describe, expect, it } from 'vitest';
import { loadBridgeConfig, redactRedisUrl } from './config';

describe('loadBridgeConfig', () => {
  it('fills defaults around the one required variable', () => {
    expect(loadBridgeConfig({ UPSTASH_BRIDGE_TOKEN: 't' })).toEqual({
      port: 8079,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      token: 't',
    });
  });

  it('reads PORT as a number, so 0 (any free port) works from the environment', () => {
    expect(loadBridgeConfig({ UPSTASH_BRIDGE_TOKEN: 't', PORT: '0' }).port).toBe(0);
  });

  it.each([
    ['a missing token', {}, 'UPSTASH_BRIDGE_TOKEN'],
    ['a non-Redis URL', { UPSTASH_BRIDGE_TOKEN: 't', REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    ['a port out of range', { UPSTASH_BRIDGE_TOKEN: 't', PORT: '70000' }, 'PORT'],
  ])('refuses %s, naming the variable', (_name, env, variable) => {
    expect(() => loadBridgeConfig(env)).toThrow(variable);
  });
});

describe('redactRedisUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactRedisUrl('redis://user:hunter2@db:6379/0')).toBe('redis://user:***@db:6379/0');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
