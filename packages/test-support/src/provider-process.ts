/**
 * The fake payment provider as its own process for tests and benchmarks: `spawnProvider` (the
 * provider package's own launcher: free port, tied to this process's life, ready once it listens)
 * run from the provider's service bundle rather than through tsx, which transpiled its sources
 * again at every start (~1 s of CPU per provider; the suite starts over a dozen).
 */
import { fileURLToPath } from 'node:url';
import {
  type SpawnedProvider,
  type SpawnProviderOptions,
  spawnProvider,
} from '@quickeats/payment-provider/process';
import { serviceBundle } from './service-bundle';

const PROVIDER_MAIN = fileURLToPath(new URL('../../../apps/payment-provider/src/main.ts', import.meta.url));

/** @see spawnProvider; `entry` is the bundle of the provider's `src/main.ts`. */
export async function startProviderProcess(
  options: Omit<SpawnProviderOptions, 'entry'> = {},
): Promise<SpawnedProvider> {
  return spawnProvider({ ...options, entry: await serviceBundle(PROVIDER_MAIN) });
}
