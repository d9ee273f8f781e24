/**
 * Entry point of `pnpm start`: validate configuration, start, and stop cleanly on signals. Without
 * PAYMENT_PROVIDER_URL (development; production refuses to start without one) the fake payment
 * provider is started first as its own process — SPEC wants the provider out of process — and
 * stopped with the API; it also exits by itself if the API dies.
 */
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@quickeats/db';
import { type SpawnedProvider, spawnProvider } from '@quickeats/payment-provider/process';
import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

/** Set to true by the production build (scripts/build.mjs). */
declare const __QUICKEATS_BUNDLE__: boolean | undefined;
const BUNDLED = typeof __QUICKEATS_BUNDLE__ !== 'undefined' && __QUICKEATS_BUNDLE__;

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  let provider: SpawnedProvider | undefined;
  let stopping = false;
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
    config = { ...config, paymentProvider: { ...config.paymentProvider, url: provider.url } };
  }
  const server = await startServer(config);
  console.log(
    [
      '',
      `QuickEats API listening on ${server.url} (${server.deps.dbHandle.driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'})`,
      `  health:    ${server.url}/healthz`,
      `  payments:  ${config.paymentProvider.url}${provider ? ' (fake provider, started as its own process)' : ''}`,
      `  idempotency store: ${server.deps.idempotency.kind}`,
      // Production never has the demo data, and never prints credentials.
      ...(config.env === 'production'
        ? []
        : [
            `  demo login: curl -s -X POST ${server.url}/api/v2/auth/token -H 'content-type: application/json' \\`,
            `                -d '{"email":"${DEMO_ACCOUNTS.customer}","password":"${DEMO_PASSWORD}"}'`,
          ]),
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      server
        .close()
        .then(() => provider?.stop())
        .then(
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

main().catch((err) => {
  console.error(redacted(err));
  process.exit(1);
});
