/**
 * CLI configuration, validated once at start (STYLE: config validated with zod, passed down).
 */
import { z } from 'zod';

export const bridgeEnvSchema = z.object({
  /** 8079 is the port local Upstash REST stand-ins customarily use; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(8079),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  // Required: clients must be configured with the same value, so a silently generated one is useless.
  UPSTASH_BRIDGE_TOKEN: z.string().min(1),
});

export type BridgeConfig = {
  port: number;
  host: string;
  redisUrl: string;
  token: string;
};

/** Reads the bridge's settings from an environment; throws a `ZodError` naming each bad variable. */
export function loadBridgeConfig(env: Record<string, string | undefined>): BridgeConfig {
  const parsed = bridgeEnvSchema.parse(env);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    redisUrl: parsed.REDIS_URL,
    token: parsed.UPSTASH_BRIDGE_TOKEN,
  };
}

/** The Redis URL without its password, fit for a log line. */
export function redactRedisUrl(redisUrl: string): string {
  const url = new URL(redisUrl);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
