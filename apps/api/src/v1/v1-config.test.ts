import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

const SECRET = 'a-production-secret-of-at-least-32-chars';

describe('v1 configuration', () => {
  it('reads the deprecation and sunset dates, and the write window (default 0: no delay)', () => {
    const config = loadConfig({
      V1_DEPRECATION_DATE: '2026-12-01T00:00:00Z',
      V1_SUNSET_DATE: '2027-12-01T00:00:00Z',
    });
    expect(config.v1.deprecation.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(config.v1.sunset.toISOString()).toBe('2027-12-01T00:00:00.000Z');
    expect(config.v1.legacyWriteDelayMs).toBe(0);
    expect(loadConfig({ V1_LEGACY_WRITE_DELAY_MS: '250' }).v1.legacyWriteDelayMs).toBe(250);
  });

  it('refuses a write window that is negative, fractional, not a number or over 10 s', () => {
    for (const value of ['-1', '1.5', 'soon', '10001'])
      expect(() => loadConfig({ V1_LEGACY_WRITE_DELAY_MS: value }), value).toThrow(
        /V1_LEGACY_WRITE_DELAY_MS/,
      );
  });

  it('refuses the write window in production: it is a demo and test aid only', () => {
    // A production configuration is complete apart from the variable under test.
    const production = {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: SECRET,
      PAYMENT_PROVIDER_URL: 'https://pay.example',
      DATABASE_URL: 'postgres://api@db.internal:5432/quickeats',
    };
    expect(() => loadConfig({ ...production, V1_LEGACY_WRITE_DELAY_MS: '100' })).toThrow(
      /V1_LEGACY_WRITE_DELAY_MS: is a demo\/test aid/,
    );
    expect(loadConfig(production).v1.legacyWriteDelayMs).toBe(0);
  });
});
