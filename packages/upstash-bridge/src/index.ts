/**
 * @quickeats/upstash-bridge: an Upstash-Redis-REST-compatible HTTP server in front of a real Redis,
 * so code using `@upstash/redis` is tested against real Redis semantics (SPEC "Where data lives").
 */
export type { BridgeEnv, UpstashBridgeAppOptions } from './bridge';
export { createUpstashBridgeApp } from './bridge';
export type { BridgeConfig } from './config';
export { loadBridgeConfig } from './config';
export type { CommandOutcome, RedisRunner, TransactionOutcome } from './redis';
export { connectRedis } from './redis';
export type { ResultEncoding, UpstashValue } from './reply';
export { toUpstashValue } from './reply';
export type { UpstashBridge, UpstashBridgeOptions } from './start';
export { startUpstashBridge } from './start';
