/** The event hub of a process, configured from `Config`. */
import type { DbHandle } from '@quickeats/db';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { EventHub, type EventHubOptions } from './hub';

export function createEventHub(
  config: Config,
  dbHandle: Pick<DbHandle, 'db' | 'listen'>,
  logger: Logger,
  hooks: Pick<EventHubOptions, 'onBatch'> = {},
): EventHub {
  return new EventHub({
    db: dbHandle.db,
    listen: dbHandle.listen,
    logger,
    pollIntervalMs: config.events.pollIntervalMs,
    ...hooks,
  });
}
