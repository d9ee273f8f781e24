/**
 * Configuration, read once from the environment at start and validated with zod. Everything
 * below takes the typed `Config`; nothing reads `process.env` deeper in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IDEMPOTENCY_LEASE_SECONDS,
  IDEMPOTENCY_RETENTION_SECONDS,
  WEBHOOK_RETRY_SCHEDULE_SECONDS,
} from '@quickeats/domain';
import { z } from 'zod';

/** Set by `pnpm start`'s bundle (scripts/bundle.mjs), which lives elsewhere than this source. */
declare const __QUICKEATS_REPO_ROOT__: string | undefined;
const REPO_ROOT =
  typeof __QUICKEATS_REPO_ROOT__ === 'string'
    ? __QUICKEATS_REPO_ROOT__
    : fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The `.env` files a start reads before validating the configuration: the current directory's, then
 * the repository root's (next to `.env.example`; `pnpm start` runs in `apps/api`). A variable set in
 * the environment wins over both, the current directory's file over the root's. Tests
 * (`NODE_ENV=test` in the environment) read none, so a developer's `.env` cannot change them.
 * Returns the files read.
 */
export function loadDotEnv(
  env: NodeJS.ProcessEnv = process.env,
  files: readonly string[] = [resolve('.env'), `${REPO_ROOT}.env`],
): string[] {
  if (env.NODE_ENV === 'test') return [];
  const read = [...new Set(files)].filter((file) => existsSync(file));
  for (const file of read) process.loadEnvFile(file);
  return read;
}

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional());
const bool = z.preprocess(
  emptyAsUndefined,
  z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_BASE_URL: optionalUrl,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    ),
    DATABASE_DIRECT_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    ),
    /** Unset → `defaultPoolSize` (twice the cores, shared by the workers, at least 4 per process). */
    DATABASE_POOL_SIZE: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number()
        .int()
        .min(
          2,
          'must be at least 2: at start one connection holds the migration lock while the migrations run on another',
        )
        .max(200)
        .optional(),
    ),
    /** `transaction`: DATABASE_URL is a transaction-mode pooler; `auto`: so when a direct URL is given. */
    DATABASE_POOLER: z.enum(['auto', 'none', 'transaction']).default('auto'),
    /** Comma-separated postgres:// URLs of streaming replicas for order reads. */
    DATABASE_REPLICA_URLS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((u) => u.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'must be postgres:// URLs, comma-separated')))
        .optional(),
    ),
    DATABASE_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
    DATABASE_REPLICA_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(8000),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
    SEED_ORDERS: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    AUTH_TOKEN_SECRET: z.preprocess(
      emptyAsUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    AUTH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600),
    /**
     * Safety re-read of the recently revoked tokens (role changes, disabled accounts, sign-outs):
     * the wake-up is LISTEN/NOTIFY; this bounds how late a process learns of a change if one is lost.
     */
    AUTH_REVOCATION_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(10_000),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    PAYMENT_PROVIDER_URL: optionalUrl,
    PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5000),
    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Prefix of the Redis keys of idempotency records, so deployments (or test runs) can share a Redis. */
    IDEMPOTENCY_REDIS_PREFIX: z.string().min(1).max(100).default('quickeats:idempotency:'),
    /**
     * How long an in-flight Idempotency-Key is protected before another process may take it over
     * (a crashed holder never wedges its key for longer). Must outlast the slowest request — a pay
     * retries the provider within its timeout — or two processes may run one request (still safe:
     * fencing tokens and the provider key keep the outcome single, but the work is wasted).
     */
    IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(IDEMPOTENCY_LEASE_SECONDS),
    V1_DEPRECATION_DATE: z.iso.datetime({ offset: true }).default('2026-11-01T00:00:00Z'),
    V1_SUNSET_DATE: z.iso.datetime({ offset: true }).default('2027-06-30T00:00:00Z'),
    /**
     * Demo/test aid: v1 waits this long between reading an order and writing it back, widening the
     * legacy read→write window so concurrent requests interleave deterministically (problem 3).
     */
    V1_LEGACY_WRITE_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
    EVENTS_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
    EVENTS_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
    /** Seconds before each retry, comma-separated (tests compress it: `0.2,0.4`). */
    WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'must be seconds separated by commas, e.g. 5,300,1800')
      .default(WEBHOOK_RETRY_SCHEDULE_SECONDS.join(',')),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    WEBHOOK_QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
    WEBHOOK_QUEUE_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    WEBHOOK_SECRET_ROTATION_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(86_400),
    WEBHOOKS_DELIVER: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).optional()),
    /** SSRF guard off: endpoints may point at private/loopback/link-local addresses (default: outside production). */
    WEBHOOK_ALLOW_PRIVATE_URLS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).optional()),
    /** Per-request deadline: past it the client gets 503 SERVICE_UNAVAILABLE with Retry-After. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Worker processes of the node:cluster supervisor; unset → see resolveWorkers. */
    WEB_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(64).optional()),
    SHUTDOWN_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /** How long an idle keep-alive connection stays open: longer than any client or proxy keeps one. */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(65_000),
    MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** Refund retries: attempts before a refund needs an operator, first backoff, longest backoff. */
    REFUND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    REFUND_RETRY_BASE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    REFUND_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(0).max(604_800_000).default(3_600_000),
    /** Adds `X-SQL-Statements` to responses: for tests, benchmarks and the demo; refused in production. */
    EXPOSE_SQL_STATEMENTS: bool,
    RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(0).max(1_000_000).default(10),
    RATE_LIMIT_LOGIN_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(300),
    RATE_LIMIT_LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    RATE_LIMIT_WRITES_PER_USER: z.coerce.number().int().min(0).max(1_000_000).default(300),
    RATE_LIMIT_WRITES_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    RATE_LIMIT_REDIS_PREFIX: z.string().min(1).max(100).default('quickeats:ratelimit:'),
    TRPC_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
    /** The client address of a request is the last X-Forwarded-For entry (set by our proxy) instead of the socket's. */
    TRUST_PROXY: bool,
    /** Production refuses the embedded PGlite (one private database per instance) unless this says it is meant. */
    ALLOW_EMBEDDED_DATABASE: bool,
    METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).optional()),
    METRICS_HOST: z.string().default('0.0.0.0'),
    // OpenTelemetry's own variables (the SDK and the OTLP exporter read them too): validated here so
    // a typo fails at start, and tracing stays off — at no cost — unless an endpoint is given.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_HEADERS: z.preprocess(emptyAsUndefined, z.string().optional()),
    OTEL_SERVICE_NAME: z.string().min(1).default('quickeats-api'),
    OTEL_TRACES_SAMPLER: z.preprocess(
      emptyAsUndefined,
      z
        .enum([
          'always_on',
          'always_off',
          'traceidratio',
          'parentbased_always_on',
          'parentbased_always_off',
          'parentbased_traceidratio',
        ])
        .optional(),
    ),
    OTEL_TRACES_SAMPLER_ARG: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(1).optional()),
    OTEL_SDK_DISABLED: bool,
  })
  .superRefine((env, ctx) => {
    if (env.WEBHOOKS_DELIVER === 'true' && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOKS_DELIVER'],
        message: 'the webhook queue needs DATABASE_URL (PostgreSQL)',
      });
    }
    if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['UPSTASH_REDIS_REST_TOKEN'],
        message: 'UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN go together',
      });
    }
    if (Date.parse(env.V1_SUNSET_DATE) < Date.parse(env.V1_DEPRECATION_DATE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['V1_SUNSET_DATE'],
        message: 'must not be earlier than V1_DEPRECATION_DATE (RFC 8594)',
      });
    }
    if (env.NODE_ENV === 'production' && env.V1_LEGACY_WRITE_DELAY_MS > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['V1_LEGACY_WRITE_DELAY_MS'],
        message: 'is a demo/test aid and must be 0 in production',
      });
    }
    // Statement and round-trip counts describe the server's queries to anyone: a debug aid only.
    if (env.NODE_ENV === 'production' && env.EXPOSE_SQL_STATEMENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['EXPOSE_SQL_STATEMENTS'],
        message: 'is a test/bench/demo aid and must be off in production',
      });
    }
    if (env.NODE_ENV === 'production' && !env.AUTH_TOKEN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_TOKEN_SECRET'], message: 'is required in production' });
    }
    // Length alone accepted 32 × "a": estimate the entropy from the characters' distribution.
    if (env.AUTH_TOKEN_SECRET && secretEntropyBits(env.AUTH_TOKEN_SECRET) < MIN_SECRET_ENTROPY_BITS) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_TOKEN_SECRET'],
        message: `is too predictable (about ${Math.floor(secretEntropyBits(env.AUTH_TOKEN_SECRET))} bits; at least ${MIN_SECRET_ENTROPY_BITS} needed): use e.g. \`openssl rand -hex 32\``,
      });
    }
    // Without DATABASE_URL every instance would silently run its own embedded database.
    if (env.NODE_ENV === 'production' && !env.DATABASE_URL && !env.ALLOW_EMBEDDED_DATABASE) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required in production (or set ALLOW_EMBEDDED_DATABASE=true for a single-instance PGlite)',
      });
    }
    if (!env.DATABASE_URL) {
      for (const name of ['DATABASE_DIRECT_URL', 'DATABASE_REPLICA_URLS'] as const) {
        if (env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'needs DATABASE_URL' });
      }
    }
    // Through a transaction pooler a session (LISTEN, the migration lock) has nowhere else to go.
    if (env.DATABASE_POOLER === 'transaction' && !env.DATABASE_DIRECT_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_DIRECT_URL'],
        message:
          'is required with DATABASE_POOLER=transaction (LISTEN and the migration lock need a session)',
      });
    }
    // Embedded PGlite is one process's file: several workers would each open it.
    if (!env.DATABASE_URL && env.WEB_CONCURRENCY !== undefined && env.WEB_CONCURRENCY > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEB_CONCURRENCY'],
        message: 'more than 1 worker needs DATABASE_URL (embedded PGlite belongs to one process)',
      });
    }
    // Without it `pnpm start` runs the fake provider: never what a production deployment means.
    if (env.NODE_ENV === 'production' && !env.PAYMENT_PROVIDER_URL) {
      ctx.addIssue({ code: 'custom', path: ['PAYMENT_PROVIDER_URL'], message: 'is required in production' });
    }
  });

export type EnvVariable = keyof typeof EnvSchema.shape;

/** Least estimated entropy of AUTH_TOKEN_SECRET (32 random hex characters score about 118). */
export const MIN_SECRET_ENTROPY_BITS = 100;

/**
 * Estimated entropy of a secret: its length times the Shannon entropy of its character
 * distribution. `aaaa…` scores 0, 64 random hex characters about 250.
 */
export function secretEntropyBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...secret].length;
  let perChar = 0;
  for (const count of counts.values()) perChar -= (count / n) * Math.log2(count / n);
  return perChar * n;
}

/** What each variable means: the README's configuration table is generated from this and the schema. */
export const ENV_DOCS = {
  NODE_ENV:
    '`production` makes AUTH_TOKEN_SECRET and PAYMENT_PROVIDER_URL required and never seeds demo data',
  HOST: 'Interface to listen on',
  PORT: 'HTTP port',
  PUBLIC_BASE_URL: 'Base URL the API prints at start (default: `http://localhost:<PORT>`)',
  LOG_LEVEL: 'pino level of the JSON logs (one line per request, with its request id)',
  LOG_FORMAT:
    '`pretty` (readable lines, pino-pretty) or `json`; unset → `pretty` in development, `json` otherwise',
  DATABASE_URL: 'PostgreSQL (postgres.js); unset → embedded PGlite under DATA_DIR',
  DATABASE_POOL_SIZE:
    'postgres.js connections per process, at least 2; unset → twice the CPU count shared by the WEB_CONCURRENCY workers, at least 4 per process (on 2 cores and one worker: 4)',
  DATABASE_POOLER:
    '`transaction`: DATABASE_URL is a transaction-mode pooler (PgBouncer) → no prepared statements, no pipelining, no session settings at connect; `auto` → `transaction` when DATABASE_DIRECT_URL differs from DATABASE_URL',
  DATABASE_REPLICA_URLS:
    'Comma-separated streaming replicas: order list/get reads go there (writes and transactions never); read-your-writes by ETag',
  DATABASE_REPLICA_MAX_LAG_MS:
    'A replica further behind than this (measured) is skipped: reads go to the primary',
  DATABASE_REPLICA_CHECK_INTERVAL_MS:
    'How often each replica’s lag is measured (also the metric’s freshness)',
  DATABASE_CONNECT_TIMEOUT_MS:
    'Client-side limit on opening a PostgreSQL connection (an unreachable database fails fast → 503)',
  DATABASE_STATEMENT_TIMEOUT_MS: 'Server-side `statement_timeout` of every PostgreSQL session',
  DATA_DIR:
    'PGlite data directory when DATABASE_URL is unset (default: `./.data/pglite` at the repository root)',
  SEED_ORDERS: 'Orders in the demo data an empty database gets on first start (not in production)',
  AUTH_TOKEN_SECRET:
    'HS256 secret of bearer tokens, ≥ 32 characters, the same on every process; unset → random per process',
  AUTH_TOKEN_TTL_SECONDS: 'Lifetime of issued tokens',
  AUTH_REVOCATION_POLL_MS:
    'Safety re-read of recently revoked tokens (role change, disabled account, sign-out) without a NOTIFY; the longest a lost NOTIFY delays a revocation (≤ 60 s)',
  BODY_LIMIT_BYTES: 'Largest request body (413 above)',
  PAYMENT_PROVIDER_URL:
    'Payment provider base URL; unset → `pnpm start` runs the bundled fake provider (in its supervisor process; its own process when tracing is on)',
  PAYMENT_PROVIDER_TIMEOUT_MS:
    'Timeout of one provider call (an unknown outcome is retried with the same provider key)',
  UPSTASH_REDIS_REST_URL:
    'Upstash Redis REST URL: idempotency leases and response cache in Redis (with the token)',
  UPSTASH_REDIS_REST_TOKEN: 'Upstash Redis REST token',
  IDEMPOTENCY_REDIS_PREFIX: 'Prefix of the idempotency keys in Redis',
  IDEMPOTENCY_LEASE_SECONDS:
    'How long an in-flight Idempotency-Key is held before another process may take it over',
  V1_DEPRECATION_DATE: 'v1 `Deprecation` date (RFC 9745)',
  V1_SUNSET_DATE: 'v1 `Sunset` date (RFC 8594), not before the deprecation',
  V1_LEGACY_WRITE_DELAY_MS:
    'Demo/test aid: v1 waits this long between its read and its write (problem 3); refused in production',
  EVENTS_HEARTBEAT_SECONDS:
    'Seconds between heartbeat comments on an idle `GET /api/v2/event-stream` (keeps proxies from closing it)',
  DATABASE_DIRECT_URL:
    'Direct (unpooled, session) PostgreSQL URL for LISTEN, the migration/seed advisory lock and the webhook queue (pg-boss), when DATABASE_URL goes through a transaction-mode pooler; default DATABASE_URL',
  WEBHOOK_RETRY_SCHEDULE:
    'Seconds before each webhook retry after the first attempt, comma-separated (±20 % jitter); a delivery fails after the last, and an endpoint failing since before that delivery is disabled',
  WEBHOOK_TIMEOUT_MS: 'How long a webhook receiver has to answer one attempt',
  WEBHOOK_CONCURRENCY: 'Webhook attempts one API process runs at once',
  WEBHOOK_QUEUE_POLL_SECONDS:
    'How often a process asks the queue for due webhook attempts (new deliveries wake the local worker at once)',
  WEBHOOK_QUEUE_MAINTENANCE_SECONDS:
    'pg-boss maintenance interval: an attempt whose process died is retried after its lease (timeout + 5 s) and this',
  WEBHOOK_SECRET_ROTATION_GRACE_SECONDS:
    'After a secret rotation, deliveries carry a signature with the previous secret too for this long',
  WEBHOOK_ALLOW_PRIVATE_URLS:
    'Let webhook endpoint URLs point at private, loopback or link-local addresses (checked at registration, 422 on `url`, and before every attempt); default `true` outside production, `false` in production (SSRF guard)',
  WEBHOOKS_DELIVER:
    'Run the webhook delivery worker in this process; default: on with DATABASE_URL (pg-boss needs PostgreSQL: on the embedded database endpoints can be managed but receive nothing)',
  EVENTS_POLL_INTERVAL_MS:
    'Safety re-read of the order event outbox without a NOTIFY (the wake-up is LISTEN/NOTIFY; this only bounds a lost one)',
  REQUEST_TIMEOUT_MS:
    'Per-request deadline: a request still running then answers 503 `SERVICE_UNAVAILABLE` with `Retry-After`',
  WEB_CONCURRENCY:
    'Worker processes `pnpm start`/`start:prod` run under the node:cluster supervisor; unset → CPU count in production with DATABASE_URL, else 1',
  SHUTDOWN_DRAIN_TIMEOUT_MS:
    'On SIGTERM, how long in-flight requests may finish before the remaining connections are cut',
  HTTP_KEEP_ALIVE_TIMEOUT_MS:
    "How long an idle keep-alive connection stays open. Longer than clients and proxies keep theirs (Node's own 5 s is shorter than most, and a request sent as the server closes fails with 'other side closed')",
  MAINTENANCE_INTERVAL_MS:
    'Period of the background upkeep: refund retries, orphan-charge reconciliation, idempotency purge',
  REFUND_MAX_ATTEMPTS:
    'Failed attempts after which a refund stops being retried and is marked as needing an operator (logged once, counted)',
  REFUND_RETRY_BASE_MS:
    'Backoff after the first failed refund attempt; it doubles after each further failure (up to REFUND_RETRY_MAX_DELAY_MS)',
  REFUND_RETRY_MAX_DELAY_MS: 'Longest backoff between two refund attempts',
  EXPOSE_SQL_STATEMENTS:
    'Adds `X-SQL-Statements` (statements the request issued) and `X-DB-Round-Trips` (exchanges with the database, BEGIN/COMMIT included) to responses: tests, bench, demo; refused in production',
  RATE_LIMIT_LOGIN_PER_ACCOUNT:
    'Token requests per account (email, known or not) per login window; a correct password clears it; `0` = off',
  RATE_LIMIT_LOGIN_PER_ADDRESS: 'Token requests per client address per login window; `0` = off',
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: 'Sliding window of the login limits',
  RATE_LIMIT_WRITES_PER_USER:
    'Writes (v2 and v1 POST/PUT, tRPC mutations) per user per write window; `0` = off',
  RATE_LIMIT_WRITES_WINDOW_SECONDS: 'Sliding window of the write limit',
  RATE_LIMIT_REDIS_PREFIX:
    'Prefix of the rate-limit keys in Redis (with UPSTASH_REDIS_REST_*; else the limits are per process)',
  TRPC_MAX_BATCH_SIZE: 'Most calls in one tRPC batch (400 above)',
  ALLOW_EMBEDDED_DATABASE:
    'Let production run without DATABASE_URL on the embedded PGlite (one instance only; refused otherwise)',
  TRUST_PROXY:
    'Take the client address (login limit) from the last `X-Forwarded-For` entry: only behind a proxy that sets it',
  METRICS_PORT:
    'Serve Prometheus metrics at `/metrics` on this port (its own, keep it off the public balancer); unset → no metrics',
  METRICS_HOST: 'Interface of the metrics port',
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'OTLP/HTTP collector base URL (`/v1/traces` is appended); set → tracing on, unset → off at no cost',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'Full OTLP/HTTP traces URL (instead of the base URL above)',
  OTEL_EXPORTER_OTLP_HEADERS: 'Headers for the collector, `key=value,key2=value2` (e.g. an API key)',
  OTEL_SERVICE_NAME: '`service.name` of the spans',
  OTEL_TRACES_SAMPLER:
    'Sampler (`parentbased_always_on` when unset: follow the caller’s decision, else sample all)',
  OTEL_TRACES_SAMPLER_ARG: 'Ratio of the `*traceidratio` samplers, 0–1',
  OTEL_SDK_DISABLED: '`true` turns tracing off even with an endpoint set',
} satisfies Record<EnvVariable, string>;

/** Rows of the configuration table: variable, default (as the schema applies it), meaning. */
export function configurationTable(): string {
  const rows = (Object.keys(ENV_DOCS) as EnvVariable[]).map((name) => {
    const parsed = EnvSchema.shape[name].safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '—';
    return `| \`${name}\` | ${fallback} | ${ENV_DOCS[name]} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  publicBaseUrl: string | undefined;
  logLevel: string;
  /** JSON lines for log shippers; readable lines for a developer's terminal. */
  logFormat: 'json' | 'pretty';
  database: {
    url: string | undefined;
    /** LISTEN and the webhook queue connect here (not through a transaction-mode pooler). */
    directUrl: string | undefined;
    poolSize: number;
    dataDir: string;
    seedOrders: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** `url` is a transaction-mode pooler. */
    pooled: boolean;
    replicas: { urls: string[]; maxLagMs: number; checkIntervalMs: number };
  };
  auth: {
    tokenSecret: string;
    tokenSecretGenerated: boolean;
    tokenTtlSeconds: number;
    revocationPollMs: number;
  };
  bodyLimitBytes: number;
  paymentProvider: { url: string | undefined; timeoutMs: number };
  upstash: { url: string; token: string } | undefined;
  idempotency: { leaseSeconds: number; retentionSeconds: number; redisKeyPrefix: string };
  v1: { deprecation: Date; sunset: Date; legacyWriteDelayMs: number };
  events: { heartbeatSeconds: number; pollIntervalMs: number };
  webhooks: {
    /** Run the delivery worker (needs PostgreSQL). */
    deliver: boolean;
    /** Endpoints may point at non-public addresses (off in production: SSRF guard, webhooks/url-guard.ts). */
    allowPrivateUrls: boolean;
    retryScheduleSeconds: number[];
    timeoutMs: number;
    concurrency: number;
    pollSeconds: number;
    maintenanceSeconds: number;
    rotationGraceSeconds: number;
  };
  exposeSqlStatements: boolean;
  requestTimeoutMs: number;
  /** Workers of the supervisor (main.ts). */
  workers: number;
  shutdownDrainTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maintenanceIntervalMs: number;
  /** Refund retries (services/orders.service.ts `RefundRetryPolicy`). */
  refunds: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  rateLimits: {
    login: { perAccount: number; perAddress: number; windowSeconds: number };
    writes: { perUser: number; windowSeconds: number };
    redisKeyPrefix: string;
  };
  trpcMaxBatchSize: number;
  trustProxy: boolean;
  /** Prometheus metrics on their own port; undefined → off. */
  metrics: { port: number; host: string } | undefined;
  /** OpenTelemetry tracing (the exporter reads the endpoint and headers from OTEL_* itself). */
  tracing: { enabled: boolean; serviceName: string };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The postgres.js pool of one process when DATABASE_POOL_SIZE is unset: about twice as many
 * connections in all as the machine has cores (the PostgreSQL wiki's rule of thumb: a database runs
 * statements on its cores, and more connections than that only queue inside it), shared by the
 * workers, and at least 4 per process so that one slow statement holds up few others. More requests
 * at once than connections are pipelined by postgres.js on the busy connections (through a
 * transaction-mode pooler, which allows no pipelining, they wait for a free one).
 *
 * Measured (issue 15): whole order lifecycles 8 at once on 2 cores, the production bundle against
 * the local PostgreSQL, pools of 4 and 10 taking turns (8 rounds): with 4, PostgreSQL spent less CPU
 * per lifecycle in every round (median 6.5 against 7.1 ms) and 6 rounds of 8 ran more lifecycles
 * (median 113 against 106/s). More backends at once cost PostgreSQL more per statement (our
 * reading: more of them to wake and switch between, and more sharing of the row locks the foreign
 * keys take on the few users and restaurants the bench's orders all name).
 */
export function defaultPoolSize(cores: number, workers: number): number {
  return Math.max(4, Math.ceil((2 * cores) / Math.max(1, workers)));
}

/** Parse and validate the environment; throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  // Production serves every core; development keeps one process (readable logs, PGlite).
  const workers =
    e.WEB_CONCURRENCY ?? (e.NODE_ENV === 'production' && e.DATABASE_URL ? availableParallelism() : 1);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    database: {
      url: e.DATABASE_URL,
      directUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE ?? defaultPoolSize(availableParallelism(), workers),
      dataDir: e.DATA_DIR ?? `${REPO_ROOT}.data/pglite`,
      seedOrders: e.SEED_ORDERS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      pooled:
        e.DATABASE_POOLER === 'transaction' ||
        (e.DATABASE_POOLER === 'auto' &&
          e.DATABASE_DIRECT_URL !== undefined &&
          e.DATABASE_DIRECT_URL !== e.DATABASE_URL),
      replicas: {
        urls: e.DATABASE_REPLICA_URLS ?? [],
        maxLagMs: e.DATABASE_REPLICA_MAX_LAG_MS,
        checkIntervalMs: e.DATABASE_REPLICA_CHECK_INTERVAL_MS,
      },
    },
    auth: {
      // Without a configured secret, tokens are signed with a per-process random key: fine for one
      // local process, wrong for several behind a balancer (set AUTH_TOKEN_SECRET there).
      tokenSecret: e.AUTH_TOKEN_SECRET ?? randomBytes(32).toString('hex'),
      tokenSecretGenerated: !e.AUTH_TOKEN_SECRET,
      tokenTtlSeconds: e.AUTH_TOKEN_TTL_SECONDS,
      revocationPollMs: e.AUTH_REVOCATION_POLL_MS,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    paymentProvider: { url: e.PAYMENT_PROVIDER_URL, timeoutMs: e.PAYMENT_PROVIDER_TIMEOUT_MS },
    upstash:
      e.UPSTASH_REDIS_REST_URL && e.UPSTASH_REDIS_REST_TOKEN
        ? { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN }
        : undefined,
    idempotency: {
      leaseSeconds: e.IDEMPOTENCY_LEASE_SECONDS,
      retentionSeconds: IDEMPOTENCY_RETENTION_SECONDS,
      redisKeyPrefix: e.IDEMPOTENCY_REDIS_PREFIX,
    },
    v1: {
      deprecation: new Date(e.V1_DEPRECATION_DATE),
      sunset: new Date(e.V1_SUNSET_DATE),
      legacyWriteDelayMs: e.V1_LEGACY_WRITE_DELAY_MS,
    },
    events: { heartbeatSeconds: e.EVENTS_HEARTBEAT_SECONDS, pollIntervalMs: e.EVENTS_POLL_INTERVAL_MS },
    webhooks: {
      deliver: e.WEBHOOKS_DELIVER ? e.WEBHOOKS_DELIVER === 'true' : Boolean(e.DATABASE_URL),
      allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS
        ? e.WEBHOOK_ALLOW_PRIVATE_URLS === 'true'
        : e.NODE_ENV !== 'production',
      retryScheduleSeconds: e.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      pollSeconds: e.WEBHOOK_QUEUE_POLL_SECONDS,
      maintenanceSeconds: e.WEBHOOK_QUEUE_MAINTENANCE_SECONDS,
      rotationGraceSeconds: e.WEBHOOK_SECRET_ROTATION_GRACE_SECONDS,
    },
    exposeSqlStatements: e.EXPOSE_SQL_STATEMENTS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    workers,
    shutdownDrainTimeoutMs: e.SHUTDOWN_DRAIN_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maintenanceIntervalMs: e.MAINTENANCE_INTERVAL_MS,
    refunds: {
      maxAttempts: e.REFUND_MAX_ATTEMPTS,
      baseDelayMs: e.REFUND_RETRY_BASE_MS,
      maxDelayMs: e.REFUND_RETRY_MAX_DELAY_MS,
    },
    rateLimits: {
      login: {
        perAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
        perAddress: e.RATE_LIMIT_LOGIN_PER_ADDRESS,
        windowSeconds: e.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
      },
      writes: { perUser: e.RATE_LIMIT_WRITES_PER_USER, windowSeconds: e.RATE_LIMIT_WRITES_WINDOW_SECONDS },
      redisKeyPrefix: e.RATE_LIMIT_REDIS_PREFIX,
    },
    trpcMaxBatchSize: e.TRPC_MAX_BATCH_SIZE,
    trustProxy: e.TRUST_PROXY,
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    tracing: {
      enabled:
        Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT || e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
        !e.OTEL_SDK_DISABLED,
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}
