/**
 * `pnpm --filter @quickeats/payment-provider start`: the fake provider as its own process.
 * Prints `payment provider listening on <url>` once it accepts connections (tests wait for that line).
 */
import { startTracing, type Tracing } from '@quickeats/telemetry';
import { loadConfig } from './config';
import { startProvider } from './server';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

// Before the server: requests must find the tracer registered (the SDK is loaded only when on).
const tracing: Tracing | undefined = config.tracing.enabled
  ? await startTracing({ serviceName: config.tracing.serviceName })
  : undefined;
const provider = await startProvider(config);
console.log(`payment provider listening on ${provider.url}`);

function shutdown() {
  provider
    .close()
    .then(() => tracing?.shutdown())
    .then(
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
