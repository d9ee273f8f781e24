/**
 * The provider process's configuration, read from the environment once at start and validated.
 */
import { z } from 'zod';
import { describeIssues } from './wire';

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Set by `spawnProvider`: exit when the parent closes our stdin, i.e. when the parent dies. */
  PROVIDER_EXIT_WITH_PARENT: z.enum(['0', '1']).default('0'),
  /** Append every charge and refund to this file and replay it at start (survive a kill). */
  PROVIDER_LEDGER_FILE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  // OpenTelemetry's standard variables, as the API reads them: an endpoint turns tracing on.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).default('false'),
  OTEL_SERVICE_NAME: z.string().min(1).default('quickeats-payment-provider'),
});

export interface ProviderConfig {
  port: number;
  hostname: string;
  exitWithParent: boolean;
  /** The ledger's journal file (undefined: the ledger lives in memory only). */
  ledgerFile: string | undefined;
  /** Traces to the same OTLP collector as the API, under the provider's own service name. */
  tracing: { enabled: boolean; serviceName: string };
}

/** Throws with a readable message (`PORT: Too big: …`) when the environment is invalid. */
export function loadConfig(env: Record<string, string | undefined>): ProviderConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(`invalid payment provider configuration: ${describeIssues(parsed.error)}`);
  return {
    port: parsed.data.PORT,
    hostname: parsed.data.HOST,
    exitWithParent: parsed.data.PROVIDER_EXIT_WITH_PARENT === '1',
    ledgerFile: parsed.data.PROVIDER_LEDGER_FILE,
    tracing: {
      enabled:
        Boolean(parsed.data.OTEL_EXPORTER_OTLP_ENDPOINT || parsed.data.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
        parsed.data.OTEL_SDK_DISABLED !== 'true',
      serviceName: parsed.data.OTEL_SERVICE_NAME,
    },
  };
}
