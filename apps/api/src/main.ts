/**
 * Entry point of `pnpm start` and `start:prod`: validate configuration, then run the API under the
 * node:cluster supervisor (supervisor.ts) — WEB_CONCURRENCY workers that are replaced when one dies
 * and drain gracefully on SIGTERM/SIGINT. Without PAYMENT_PROVIDER_URL (development; production
 * refuses to start without one) the primary first starts the fake payment provider — out of the
 * API's processes, as SPEC wants: in the primary itself, or as its own process when tracing is on
 * (its spans under its own service name) — shared by the workers and stopped with the API; a
 * spawned one also exits by itself if the API dies.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataDirLockedError, lockDataDir } from '@quickeats/db/data-dir-lock';
import { type SpawnedProvider, spawnProvider } from '@quickeats/payment-provider/process';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config';
import { runSupervisor, type WorkerListening } from './supervisor';

/** Which bundle this is (scripts/bundle.mjs): the production build, or the one `pnpm start` builds. */
declare const __QUICKEATS_BUNDLE__: 'production' | 'start' | undefined;
const BUNDLE = typeof __QUICKEATS_BUNDLE__ === 'undefined' ? undefined : __QUICKEATS_BUNDLE__;

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
  if (!config.database.url && !existsSync(join(config.database.dataDir, 'PG_VERSION')))
    await prepareEmbeddedDatabase();
  let provider: SpawnedProvider | undefined;
  let inProcessProvider: { close(): Promise<void> } | undefined;
  let stopping = false;
  const env: Record<string, string> = {};
  if (!config.paymentProvider.url) {
    if (BUNDLE === 'production') {
      // The fake provider is started from its TypeScript source; a built server is for real deployments.
      console.error(
        'PAYMENT_PROVIDER_URL is required by the built server (pnpm start runs the fake provider for you)',
      );
      process.exit(78); // EX_CONFIG
    }
    if (config.tracing.enabled) {
      // Traced, the provider is its own process (its spans under its own service name): `pnpm start`'s
      // bundle carries it (`provider.mjs` beside this entry); tsx runs its source.
      provider = await spawnProvider(
        BUNDLE === 'start' ? { entry: fileURLToPath(new URL('./provider.mjs', import.meta.url)) } : {},
      );
      provider.child.once('exit', (code, signal) => {
        if (!stopping)
          console.error(`the fake payment provider exited (${code ?? signal}); payments will fail`);
      });
      env.PAYMENT_PROVIDER_URL = provider.url;
    } else {
      // Otherwise it runs here, in the supervisor — out of the API's processes, which call it over
      // HTTP as any provider — rather than in a Node.js process of its own: ~55 MB less for the
      // `pnpm start` tree (issue 15, ≤ 400 MB), a process's floor being ~40 MB.
      const { startProvider } = await import('@quickeats/payment-provider');
      const started = await startProvider({ port: 0 });
      inProcessProvider = started;
      env.PAYMENT_PROVIDER_URL = started.url;
    }
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
    embeddedDatabase: !config.database.url,
    drainTimeoutMs: config.shutdownDrainTimeoutMs,
    env,
    log: (message) => console.error(`[supervisor] ${message}`),
    onListening: (w: WorkerListening) => {
      if (announced) return;
      announced = true;
      const provided = provider
        ? ' (fake provider, started as its own process)'
        : inProcessProvider
          ? ' (fake provider, in the supervisor process)'
          : '';
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
        .then(() => inProcessProvider?.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}

/** Set in the environment of the short-lived process that prepares a new embedded directory. */
const PREPARE_ENV = 'QUICKEATS_PREPARE_EMBEDDED_DATABASE';

/**
 * A new embedded directory is created (PGlite's initdb), migrated and seeded in a process of its
 * own that then exits: what that takes — initdb's WebAssembly instance and the directory image it
 * hands over, the seed's thousands of rows passing through both heaps — stayed resident in the
 * worker for its whole life (290 vs 145 MB at start: issue 15, `pnpm start` ≤ 400 MB). The worker
 * then opens a ready directory.
 */
async function prepareEmbeddedDatabase() {
  const child = spawn(process.execPath, [...process.execArgv, '--liftoff-only', process.argv[1]!], {
    env: { ...process.env, [PREPARE_ENV]: '1' },
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) {
    console.error(`preparing the embedded database failed (exit ${code})`);
    process.exit(1);
  }
}

async function prepareInThisProcess() {
  const config = configOrExit();
  const [{ openDatabase, migrateAndSeed }, { createLogger }] = await Promise.all([
    import('./database-setup'),
    import('./logger'),
  ]);
  const logger = createLogger(config.logLevel, config.logFormat === 'pretty' ? 'pretty' : undefined);
  const handle = openDatabase(config);
  await migrateAndSeed(handle, config, logger);
  await handle.close();
}

async function worker() {
  const config = configOrExit();
  // Loaded here only: the primary stays small and never opens a database.
  const [{ startServer }, { DEMO_ACCOUNTS, DEMO_PASSWORD }, { survivingDependencyFailures }] =
    await Promise.all([import('./server'), import('@quickeats/db'), import('./http/outage')]);
  const server = await startServer(config);
  process.on(
    'unhandledRejection',
    survivingDependencyFailures((err) =>
      server.deps.logger.error(
        { err },
        'a dependency call failed with nobody awaiting it; the process goes on',
      ),
    ),
  );
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
(process.env[PREPARE_ENV] === '1'
  ? prepareInThisProcess().then(() => process.exit(0))
  : cluster.isPrimary
    ? primary(loadDotEnv())
    : worker()
).catch((err) => {
  console.error(redacted(err));
  process.exit(1);
});
