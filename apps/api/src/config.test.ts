import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultPoolSize, loadConfig, secretEntropyBits } from './config';

const SECRET = randomBytes(32).toString('hex');

describe('loadConfig', () => {
  it('defaults to the embedded database on port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toMatch(/\.data\/pglite$/);
    expect(config.auth.tokenSecretGenerated).toBe(true);
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues).toContain('PORT');
      expect(issues).toContain('DATABASE_URL');
      expect(issues).toContain('LOG_LEVEL');
    }
  });

  it('requires the Upstash URL and token together', () => {
    expect(() => loadConfig({ UPSTASH_REDIS_REST_URL: 'http://localhost:8079' })).toThrow(
      /UPSTASH_REDIS_REST_TOKEN/,
    );
  });

  it('refuses a sunset earlier than the deprecation (RFC 8594)', () => {
    expect(() =>
      loadConfig({ V1_DEPRECATION_DATE: '2027-01-01T00:00:00Z', V1_SUNSET_DATE: '2026-01-01T00:00:00Z' }),
    ).toThrow(/V1_SUNSET_DATE/);
  });

  it('requires a token secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_TOKEN_SECRET/);
  });

  it('refuses a predictable token secret, whatever its length (issue 12)', () => {
    for (const secret of ['a'.repeat(32), 'ab'.repeat(40), 'abcd'.repeat(12)]) {
      expect(() => loadConfig({ AUTH_TOKEN_SECRET: secret })).toThrow(
        /AUTH_TOKEN_SECRET: is too predictable/,
      );
    }
    expect(loadConfig({ AUTH_TOKEN_SECRET: randomBytes(16).toString('hex') }).auth.tokenSecretGenerated).toBe(
      false,
    );
    expect(secretEntropyBits('a'.repeat(64))).toBe(0);
  });

  it('refuses the embedded database in production unless explicitly allowed', () => {
    const env = {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: SECRET,
      PAYMENT_PROVIDER_URL: 'https://payments.example',
    };
    expect(() => loadConfig(env)).toThrow(/DATABASE_URL: is required in production/);
    expect(loadConfig({ ...env, ALLOW_EMBEDDED_DATABASE: 'true' }).database.url).toBeUndefined();
  });

  it('guards webhook URLs against private addresses in production only, unless the flag says otherwise', () => {
    const production = {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: SECRET,
      DATABASE_URL: 'postgres://db/x',
      PAYMENT_PROVIDER_URL: 'https://payments.example',
    };
    expect(loadConfig(production).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhooks.allowPrivateUrls).toBe(
      true,
    );
    expect(loadConfig({}).webhooks.allowPrivateUrls).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).webhooks.allowPrivateUrls).toBe(false);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS/);
  });

  it('refuses EXPOSE_SQL_STATEMENTS in production, a debug aid elsewhere', () => {
    const env = {
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: SECRET,
      DATABASE_URL: 'postgres://db/x',
      PAYMENT_PROVIDER_URL: 'https://payments.example',
    };
    expect(loadConfig(env).exposeSqlStatements).toBe(false);
    expect(() => loadConfig({ ...env, EXPOSE_SQL_STATEMENTS: 'true' })).toThrow(
      /EXPOSE_SQL_STATEMENTS: is a test\/bench\/demo aid and must be off in production/,
    );
    expect(loadConfig({ ...env, NODE_ENV: 'test', EXPOSE_SQL_STATEMENTS: 'true' }).exposeSqlStatements).toBe(
      true,
    );
  });

  it('requires a payment provider in production, where the fake one must never stand in', () => {
    const secret = SECRET;
    expect(() =>
      loadConfig({ NODE_ENV: 'production', AUTH_TOKEN_SECRET: secret, DATABASE_URL: 'postgres://db/x' }),
    ).toThrow(/PAYMENT_PROVIDER_URL: is required in production/);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        AUTH_TOKEN_SECRET: secret,
        DATABASE_URL: 'postgres://db/x',
        PAYMENT_PROVIDER_URL: 'https://payments.example',
      }).paymentProvider.url,
    ).toBe('https://payments.example');
  });

  it('keeps idempotency records 24 h and takes the lease from IDEMPOTENCY_LEASE_SECONDS', () => {
    expect(loadConfig({}).idempotency).toEqual({
      leaseSeconds: 30,
      retentionSeconds: 86_400,
      redisKeyPrefix: 'quickeats:idempotency:',
    });
    expect(loadConfig({ IDEMPOTENCY_LEASE_SECONDS: '2' }).idempotency.leaseSeconds).toBe(2);
    expect(() => loadConfig({ IDEMPOTENCY_LEASE_SECONDS: '0' })).toThrow(/IDEMPOTENCY_LEASE_SECONDS/);
  });

  it('pooler mode: chosen when a distinct direct URL is given, or by DATABASE_POOLER; transaction mode needs the direct URL', () => {
    const pooled = 'postgres://app@pgbouncer:6432/quickeats';
    const direct = 'postgres://app@primary:5432/quickeats';
    expect(loadConfig({ DATABASE_URL: direct }).database).toMatchObject({
      pooled: false,
      directUrl: direct,
    });
    expect(loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct }).database).toMatchObject({
      pooled: true,
      directUrl: direct,
    });
    expect(loadConfig({ DATABASE_URL: direct, DATABASE_DIRECT_URL: direct }).database.pooled).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: direct, DATABASE_POOLER: 'none' }).database
        .pooled,
    ).toBe(false);
    expect(() => loadConfig({ DATABASE_URL: pooled, DATABASE_POOLER: 'transaction' })).toThrow(
      /DATABASE_DIRECT_URL: is required with DATABASE_POOLER=transaction/,
    );
    expect(() => loadConfig({ DATABASE_POOLER: 'statement' })).toThrow(/DATABASE_POOLER/);
    expect(() => loadConfig({ DATABASE_DIRECT_URL: direct })).toThrow(
      /DATABASE_DIRECT_URL: needs DATABASE_URL/,
    );
  });

  it('pool size: DATABASE_POOL_SIZE, else twice the cores shared by the workers, at least 4 per process', () => {
    expect(defaultPoolSize(2, 1)).toBe(4);
    expect(defaultPoolSize(2, 2)).toBe(4);
    expect(defaultPoolSize(8, 1)).toBe(16);
    expect(defaultPoolSize(8, 3)).toBe(6);
    expect(defaultPoolSize(16, 16)).toBe(4);
    const url = 'postgres://app@primary:5432/quickeats';
    const cores = availableParallelism();
    expect(loadConfig({ DATABASE_URL: url }).database.poolSize).toBe(defaultPoolSize(cores, 1));
    expect(loadConfig({ DATABASE_URL: url, WEB_CONCURRENCY: '3' }).database.poolSize).toBe(
      defaultPoolSize(cores, 3),
    );
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '10' }).database.poolSize).toBe(10);
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '' }).database.poolSize).toBe(
      defaultPoolSize(cores, 1),
    );
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    // One connection cannot both hold the migration lock and run the migrations: refused, not a hang.
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '1' })).toThrow(/DATABASE_POOL_SIZE: must be at least 2/);
    expect(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '2' }).database.poolSize).toBe(2);
  });

  it('replica URLs: comma-separated postgres URLs, with the lag bound and check period', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@primary/q',
      DATABASE_REPLICA_URLS: 'postgres://app@r1/q, postgres://app@r2/q',
      DATABASE_REPLICA_MAX_LAG_MS: '250',
    });
    expect(config.database.replicas).toEqual({
      urls: ['postgres://app@r1/q', 'postgres://app@r2/q'],
      maxLagMs: 250,
      checkIntervalMs: 1000,
    });
    expect(loadConfig({}).database.replicas.urls).toEqual([]);
    expect(() =>
      loadConfig({
        DATABASE_URL: 'postgres://app@primary/q',
        DATABASE_REPLICA_URLS: 'postgres://r1/q,mysql://r2',
      }),
    ).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/q' })).toThrow(
      /DATABASE_REPLICA_URLS: needs DATABASE_URL/,
    );
  });
});
