import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('Should default to 127.0.0.1:4010', () => {
    expect(loadConfig({})).toMatchObject({ port: 4010, hostname: '127.0.0.1', exitWithParent: false });
  });

  it('Should read PORT and HOST, port 0 included', () => {
    expect(loadConfig({ PORT: '0', HOST: '0.0.0.0' })).toMatchObject({
      port: 0,
      hostname: '0.0.0.0',
      exitWithParent: false,
    });
  });

  it('Should exit with its parent only when spawned to (PROVIDER_EXIT_WITH_PARENT=1)', () => {
    expect(loadConfig({ PROVIDER_EXIT_WITH_PARENT: '1' }).exitWithParent).toBe(true);
    expect(() => loadConfig({ PROVIDER_EXIT_WITH_PARENT: 'yes' })).toThrow(/PROVIDER_EXIT_WITH_PARENT:/);
  });

  it('Should trace only when an OTLP endpoint is set and the SDK is not disabled', () => {
    expect(loadConfig({}).tracing).toEqual({ enabled: false, serviceName: 'quickeats-payment-provider' });
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(loadConfig(endpoint).tracing.enabled).toBe(true);
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.enabled).toBe(false);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('Should refuse a PORT that is not a port number, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^invalid payment provider configuration: PORT:/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT:/);
    expect(() => loadConfig({ PORT: '4010.5' })).toThrow(/PORT:/);
  });
});
