/** Entry point of `pnpm start`: validate configuration, start, and stop cleanly on signals. */
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@quickeats/db';
import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

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
  const server = await startServer(config);
  console.log(
    [
      '',
      `QuickEats API listening on ${server.url} (${server.deps.dbHandle.driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'})`,
      `  health:    ${server.url}/healthz`,
      `  demo login: curl -s -X POST ${server.url}/api/v2/auth/token -H 'content-type: application/json' \\`,
      `                -d '{"email":"${DEMO_ACCOUNTS.customer}","password":"${DEMO_PASSWORD}"}'`,
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
