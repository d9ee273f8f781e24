/**
 * `@quickeats/sdk`: typed clients for the QuickEats Orders API.
 *
 * - `createRestClient` (also `@quickeats/sdk/rest`): REST v2, types generated from OpenAPI — what partners use.
 * - `createTrpcClient` (`@quickeats/sdk/trpc`): tRPC, typed from the API's router — TypeScript frontends.
 *
 * Both implement `QuickEatsClient` and share the behaviour in this package: idempotency keys per
 * operation, retries only when safe, If-Match / expectedVersion from the last representation held,
 * and typed errors.
 */

export { type ActionMethod, actionMethod } from './actions';
export * from './errors';
export {
  type EventStreamStatus,
  type EventsApi,
  type OrderEventType,
  type OrderStreamEvent,
  parseSse,
  type SseMessage,
  type SubscribeOptions,
  type WebhookPayload,
} from './events';
export { newIdempotencyKey } from './idempotency';
export { formatMoney } from './money';
export type { ClientOptions, TokenSource } from './options';
export { createResilientFetch, type FetchLike, type ResilientFetchOptions } from './resilient-fetch';
export { type ApiMediaType, createRestClient, type RestApi, type RestClient } from './rest/client';
export {
  backoffDelayMs,
  DEFAULT_RETRY,
  decideRetry,
  isSafeToRetry,
  parseRetryAfterMs,
  type RetryEvent,
  type RetryOptions,
  type RetryReason,
} from './retry-policy';
export type * from './types';
export { createVersionTracker } from './versions';
