/**
 * `pnpm --filter @quickeats/payment-provider start`: the fake provider as its own process.
 * Prints `payment provider listening on <url>` once it accepts connections (tests wait for that line).
 */
import { loadConfig } from './config';
import { startProvider } from './server';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

const provider = await startProvider(config);
console.log(`payment provider listening on ${provider.url}`);

function shutdown() {
  provider.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('payment provider: close failed', err);
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, shutdown);
if (config.exitWithParent) {
  // The parent holds the other end of our stdin: it closes when the parent exits, however it
  // exits (SIGKILL included), so a spawned provider never outlives the API that started it.
  process.stdin.once('end', shutdown);
  process.stdin.once('close', shutdown);
  process.stdin.resume();
}
