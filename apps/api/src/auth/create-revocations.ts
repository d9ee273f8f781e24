/** The token revocation set of a process, configured from `Config`. */
import type { DbHandle } from '@quickeats/db';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { TokenRevocations } from './revocations';

export function createTokenRevocations(
  config: Config,
  dbHandle: Pick<DbHandle, 'db' | 'listen'>,
  logger: Logger,
): TokenRevocations {
  return new TokenRevocations({
    db: dbHandle.db,
    listen: dbHandle.listen,
    logger,
    tokenTtlSeconds: config.auth.tokenTtlSeconds,
    pollIntervalMs: config.auth.revocationPollMs,
  });
}
