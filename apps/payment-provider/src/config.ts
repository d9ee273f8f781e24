/**
 * The provider process's configuration, read from the environment once at start and validated.
 */
import { z } from 'zod';
import { describeIssues } from './wire';

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().min(1).default('127.0.0.1'),
});

export interface ProviderConfig {
  port: number;
  hostname: string;
}

/** Throws with a readable message (`PORT: Too big: …`) when the environment is invalid. */
export function loadConfig(env: Record<string, string | undefined>): ProviderConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(`invalid payment provider configuration: ${describeIssues(parsed.error)}`);
  return { port: parsed.data.PORT, hostname: parsed.data.HOST };
}
