/**
 * The webhook machinery of one API process: the queue (pg-boss on the direct connection), the
 * fan-out woken by the event hub, and the worker that makes attempts. Off on the embedded database
 * (pg-boss needs PostgreSQL): endpoints can be managed there, but no delivery is made.
 */
import type { Config } from '../config';
import type { EventHub } from '../events/hub';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { WebhookDeliverer } from './deliverer';
import { WebhookDispatcher } from './dispatcher';
import { createDirectPool, WebhookQueue } from './queue';

export interface WebhookRuntime {
  queue: WebhookQueue;
  dispatcher: WebhookDispatcher;
  deliverer: WebhookDeliverer;
  /** Install the queue's schema (first start), start fanning out and delivering. */
  start(): Promise<void>;
  /** Stop fanning out, let attempts in flight finish, close the connections. */
  stop(): Promise<void>;
}

export function createWebhookRuntime(
  config: Config,
  hub: EventHub,
  logger: Logger,
  metrics: Metrics,
): WebhookRuntime | undefined {
  if (!config.webhooks.deliver || !config.database.directUrl) return undefined;
  const queue = new WebhookQueue(
    createDirectPool(config, Math.min(20, config.webhooks.concurrency + 4)),
    config,
    logger,
  );
  const dispatcher = new WebhookDispatcher(hub, queue, logger, config.events.pollIntervalMs);
  const deliverer = new WebhookDeliverer(queue, config, logger, metrics);
  let started: Promise<void> | undefined;
  return {
    queue,
    dispatcher,
    deliverer,
    start: () => {
      started ??= (async () => {
        await queue.start();
        await queue.work(deliverer.handle);
        dispatcher.start();
      })();
      return started;
    },
    stop: async () => {
      await dispatcher.stop();
      await started?.catch(() => {});
      await queue.stop();
    },
  };
}
