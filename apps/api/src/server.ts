/**
 * Process lifecycle: open the database (postgres.js with DATABASE_URL, else embedded PGlite),
 * migrate, seed the embedded default on first start, serve, and shut down gracefully on
 * SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the pool).
 */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { InMemoryPaymentProvider, type PaymentProvider } from '@quickeats/domain';
import { HttpPaymentProvider } from '@quickeats/payment-provider/client';
import { createApp } from './app';
import { createTokenRevocations } from './auth/create-revocations';
import type { Config } from './config';
import type { AppDeps } from './context';
import { migrateAndSeed, openDatabase } from './database-setup';
import { createEventHub } from './events/create-hub';
import { createIdempotencyStore } from './idempotency/create-store';
import { createLogger, type Logger } from './logger';
import { instrumentDeps, recordEventLag } from './observability/instrument';
import { createMetrics, type Metrics, NO_METRICS } from './observability/metrics';
import {
  type MetricsServer,
  registrySource,
  shareWithClusterPrimary,
  startMetricsServer,
} from './observability/metrics-server';
import { startApiTracing } from './observability/tracing';
import { createRateLimits } from './rate-limit';
import { createReplicaReads } from './reads/replica-reads';
import { startMaintenance } from './services/maintenance';
import { createWebhookRuntime } from './webhooks/runtime';

/**
 * The provider at PAYMENT_PROVIDER_URL (the fake provider's server in development and tests; `main.ts`
 * starts one when none is configured), else an in-memory one for an in-process server.
 */
export function paymentProviderFor(config: Config): PaymentProvider {
  const { url, timeoutMs } = config.paymentProvider;
  return url ? new HttpPaymentProvider({ baseUrl: url, timeoutMs }) : new InMemoryPaymentProvider();
}

export interface RunningServer {
  url: string;
  /** `/metrics` of this process (undefined when metrics are off, or served by the cluster primary). */
  metricsUrl: string | undefined;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: { logger?: Logger; paymentProvider?: PaymentProvider } = {},
): Promise<RunningServer> {
  // First, so that every request (and statement) finds the tracer registered; nothing of the
  // OpenTelemetry SDK is loaded when tracing is off.
  const tracing = config.tracing.enabled
    ? await startApiTracing({ serviceName: config.tracing.serviceName })
    : undefined;
  const logger =
    options.logger ?? createLogger(config.logLevel, config.logFormat === 'pretty' ? 'pretty' : undefined);
  const dbHandle = openDatabase(config);
  await migrateAndSeed(dbHandle, config, logger);
  if (config.auth.tokenSecretGenerated) {
    logger.warn(
      'AUTH_TOKEN_SECRET is not set: tokens are signed with a per-process key and die with this process',
    );
  }

  const metrics: Metrics = config.metrics ? createMetrics() : NO_METRICS;
  const replicaReads = dbHandle.replicas.length
    ? createReplicaReads({
        primary: dbHandle.db,
        replicas: dbHandle.replicas,
        maxLagMs: config.database.replicas.maxLagMs,
        checkIntervalMs: config.database.replicas.checkIntervalMs,
        metrics,
        logger,
      })
    : undefined;
  const events = createEventHub(config, dbHandle, logger, { onBatch: recordEventLag(metrics) });
  const webhooks = createWebhookRuntime(config, events, logger, metrics);
  await webhooks?.start();
  const deps: AppDeps = instrumentDeps({
    config,
    db: dbHandle.db,
    dbHandle,
    replicaReads,
    logger,
    paymentProvider: options.paymentProvider ?? paymentProviderFor(config),
    idempotency: createIdempotencyStore(config, dbHandle.db),
    events,
    webhookQueue: webhooks?.queue,
    rateLimits: createRateLimits(config),
    revocations: createTokenRevocations(config, dbHandle, logger),
    now: () => new Date(),
    draining: () => closing !== undefined,
    metrics,
  });
  let closing: Promise<void> | undefined;
  // Before the first request: a revoked token must not pass while the list loads.
  await deps.revocations.start();
  const app = createApp(deps);
  const maintenance = startMaintenance(deps, config.maintenanceIntervalMs);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  // Node closes an idle keep-alive connection after 5 s, sooner than most clients and proxies give
  // up theirs: a request sent on it as it closes fails ("other side closed") without reaching us.
  const node = server as { keepAliveTimeout?: number; headersTimeout?: number };
  node.keepAliveTimeout = config.keepAliveTimeoutMs;
  node.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  let metricsServer: MetricsServer | undefined;
  if (config.metrics && metrics.registry) {
    // Under the cluster supervisor the primary owns the metrics port and sums the workers.
    if (cluster.isWorker) shareWithClusterPrimary(metrics.registry);
    else metricsServer = await startMetricsServer(registrySource(metrics.registry), config.metrics);
  }
  const { port } = server.address() as AddressInfo;
  const url =
    config.publicBaseUrl ?? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  logger.info(
    {
      url,
      driver: dbHandle.driver,
      pooled: config.database.pooled,
      replicas: dbHandle.replicas.map((r) => r.label),
      idempotencyStore: deps.idempotency.kind,
      paymentProvider: config.paymentProvider.url ?? 'in-memory',
      metrics: metricsServer?.url,
    },
    'listening',
  );

  const close = () => {
    closing ??= (async () => {
      logger.info({ drainTimeoutMs: config.shutdownDrainTimeoutMs }, 'shutting down: draining connections');
      const http = server as unknown as {
        closeIdleConnections?: () => void;
        closeAllConnections?: () => void;
      };
      const drained = new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish...
        http.closeIdleConnections?.();
        // ...within the drain timeout; then whatever is left is cut.
        setTimeout(() => {
          logger.warn('drain timeout: closing the remaining connections');
          http.closeAllConnections?.();
          resolve();
        }, config.shutdownDrainTimeoutMs).unref();
      });
      // Event streams never finish by themselves: end them (clients reconnect to another process
      // with Last-Event-ID and lose nothing).
      await webhooks?.dispatcher.stop();
      await deps.events.close();
      await deps.revocations.close();
      await drained;
      await webhooks?.stop();
      await metricsServer?.close();
      await maintenance.stop();
      replicaReads?.close();
      await dbHandle.close();
      await tracing?.shutdown();
      logger.info('shut down');
    })();
    return closing;
  };
  return { url, metricsUrl: metricsServer?.url, deps, close };
}
