/**
 * Tracing of the API process (see @quickeats/telemetry): started only when an OTLP endpoint is
 * configured, it adds one span per SQL statement — the statement text as Drizzle sent it, with `$1`
 * placeholders, never the parameters — under whatever span is active (a service action, a request).
 */
import { observeStatements } from '@quickeats/db';
import { startSpan, startTracing, type Tracing, type TracingOptions } from '@quickeats/telemetry';

/** `SELECT`, `INSERT`, `WITH`…: the statement's verb names its span (`db SELECT`). */
function operationOf(sql: string): string {
  return /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
}

export async function startApiTracing(options: TracingOptions): Promise<Tracing> {
  const tracing = await startTracing(options);
  observeStatements((sql) => {
    const operation = operationOf(sql);
    return startSpan(`db ${operation}`, {
      kind: 'client',
      attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.query.text': sql },
    });
  });
  return {
    forceFlush: () => tracing.forceFlush(),
    shutdown: async () => {
      observeStatements(undefined);
      await tracing.shutdown();
    },
  };
}
