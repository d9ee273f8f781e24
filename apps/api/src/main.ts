/**
 * Entry point of `pnpm start` and `start:prod`: validate configuration, then run the API under the
 * node:cluster supervisor (supervisor.ts) — WEB_CONCURRENCY workers that are replaced when one dies
 * and drain gracefully on SIGTERM/SIGINT. Without PAYMENT_PROVIDER_URL (development; production
 * refuses to start without one) the primary first starts the fake payment provider as its own
 * process — SPEC wants the provider out of process — shared by the workers and stopped with the
 * API; it also exits by itself if the API dies.
 */
import cluster from 'node:cluster';
import { DataDirLockedError, lockDataDir } from '@quickeats/db/data-dir-lock';
import { type SpawnedProvider, spawnProvider } from '@quickeats/payment-provider/process';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config';
import { runSupervisor, type WorkerListening } from './supervisor';

/** Set to true by the production build (scripts/build.mjs). */
declare const __QUICKEATS_BUNDLE__: boolean | undefined;
const BUNDLED = typeof __QUICKEATS_BUNDLE__ !== 'undefined' && __QUICKEATS_BUNDLE__;

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

async function primary(dotEnvFiles: string[]) {
  for (const file of dotEnvFiles) console.error(`read ${file} (variables set in the environment win)`);
  const config = configOrExit();
  if (!config.database.url) {
    // PGlite takes no lock of its own: this process holds the directory while it (and its workers) run.
    try {
      lockDataDir(config.database.dataDir);
    } catch (err) {
      if (err instanceof DataDirLockedError) {
        console.error(err.message);
        process.exit(75); // EX_TEMPFAIL: try again once the other process has stopped
      }
      throw err;
    }
  }
  let provider: SpawnedProvider | undefined;
  let stopping = false;
  const env: Record<string, string> = {};
  if (!config.paymentProvider.url) {
    if (BUNDLED) {
      // The fake provider is started from its TypeScript source; a built server is for real deployments.
      console.error(
        'PAYMENT_PROVIDER_URL is required by the built server (pnpm start runs the fake provider for you)',
      );
      process.exit(78); // EX_CONFIG
    }
    provider = await spawnProvider();
    provider.child.once('exit', (code, signal) => {
      if (!stopping)
        console.error(`the fake payment provider exited (${code ?? signal}); payments will fail`);
    });
    env.PAYMENT_PROVIDER_URL = provider.url;
  }
  if (config.auth.tokenSecretGenerated) {
    // One random secret for all workers (and their replacements), so a token works on any of them.
    env.AUTH_TOKEN_SECRET = config.auth.tokenSecret;
    console.error(
      'AUTH_TOKEN_SECRET is not set: tokens are signed with a random key that dies with this process',
    );
  }
  const paymentsUrl = env.PAYMENT_PROVIDER_URL ?? config.paymentProvider.url;
  let announced = false;
  const supervisor = runSupervisor({
    workers: config.workers,
    drainTimeoutMs: config.shutdownDrainTimeoutMs,
    env,
    log: (message) => console.error(`[supervisor] ${message}`),
    onListening: (w: WorkerListening) => {
      if (announced) return;
      announced = true;
      const provided = provider ? ' (fake provider, started as its own process)' : '';
      console.log(w.banner.replace('{payments}', `${paymentsUrl}${provided}`));
    },
  });
  // The primary owns the metrics port and sums its workers' registries (they share theirs over IPC).
  const metricsOptions = config.metrics;
  const metricsServer = metricsOptions
    ? await import('./observability/metrics-server').then((m) =>
        m.startMetricsServer(m.clusterSource(), metricsOptions),
      )
    : undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      supervisor
        .stop()
        .then(() => metricsServer?.close())
        .then(() => provider?.stop())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}

async function worker() {
  const config = configOrExit();
  // Loaded here only: the primary stays small and never opens a database.
  const [{ startServer }, { DEMO_ACCOUNTS, DEMO_PASSWORD }] = await Promise.all([
    import('./server'),
    import('@quickeats/db'),
  ]);
  const server = await startServer(config);
  const { url } = server;
  const banner = [
    '',
    `QuickEats API listening on ${url} (${server.deps.dbHandle.driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'}, ${config.workers} worker${config.workers === 1 ? '' : 's'} under the node:cluster supervisor)`,
    `  liveness:  ${url}/healthz   readiness: ${url}/readyz`,
    '  payments:  {payments}',
    `  idempotency store: ${server.deps.idempotency.kind}`,
    // Production never has the demo data, and never prints credentials.
    ...(config.env === 'production'
      ? []
      : [
          `  demo login: curl -s -X POST ${url}/api/v2/auth/token -H 'content-type: application/json' \\`,
          `                -d '{"email":"${DEMO_ACCOUNTS.customer}","password":"${DEMO_PASSWORD}"}'`,
        ]),
    '',
  ].join('\n');
  const listening: WorkerListening = { type: 'listening', banner };
  process.send?.(listening);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/** A startup error without what it may carry verbatim: SQL parameters (password hashes of a seed). */
function redacted(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { parameters: _p, args: _a, query: _q, ...rest } = err as Error & Record<string, unknown>;
  return Object.assign(new Error(err.message), rest, { name: err.name, stack: err.stack });
}

// Workers inherit the primary's environment, .env included.
(cluster.isPrimary ? primary(loadDotEnv()) : worker()).catch((err) => {
  console.error(redacted(err));
  process.exit(1);
});
