/**
 * CLI: `pnpm --filter @quickeats/upstash-bridge start` with UPSTASH_BRIDGE_TOKEN (and optionally
 * PORT, HOST, REDIS_URL) set. Prints one line with the URL once listening.
 */
import { z } from 'zod';
import { loadBridgeConfig, redactRedisUrl } from './config';
import { startUpstashBridge } from './start';

let config: ReturnType<typeof loadBridgeConfig>;
try {
  config = loadBridgeConfig(process.env);
} catch (error) {
  if (!(error instanceof z.ZodError)) throw error;
  console.error(`upstash-bridge: invalid environment\n${z.prettifyError(error)}`);
  process.exit(1);
}

const bridge = await startUpstashBridge(config);
console.log(`upstash-bridge listening on ${bridge.url} -> ${redactRedisUrl(config.redisUrl)}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void bridge.close().then(() => process.exit(0));
  });
}
