import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('Should default to 127.0.0.1:4010', () => {
    expect(loadConfig({})).toEqual({ port: 4010, hostname: '127.0.0.1', exitWithParent: false });
  });

  it('Should read PORT and HOST, port 0 included', () => {
    expect(loadConfig({ PORT: '0', HOST: '0.0.0.0' })).toEqual({
      port: 0,
      hostname: '0.0.0.0',
      exitWithParent: false,
    });
  });

  it('Should exit with its parent only when spawned to (PROVIDER_EXIT_WITH_PARENT=1)', () => {
    expect(loadConfig({ PROVIDER_EXIT_WITH_PARENT: '1' }).exitWithParent).toBe(true);
    expect(() => loadConfig({ PROVIDER_EXIT_WITH_PARENT: 'yes' })).toThrow(/PROVIDER_EXIT_WITH_PARENT:/);
  });

  it('Should refuse a PORT that is not a port number, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^invalid payment provider configuration: PORT:/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT:/);
    expect(() => loadConfig({ PORT: '4010.5' })).toThrow(/PORT:/);
  });
});
