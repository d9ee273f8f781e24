/**
 * Structured JSON logs (pino). One root logger per process; requests log through a child with their
 * id; with tracing on, every line also carries the active span's `trace_id` and `span_id`, so a log
 * line leads to its trace and back. In development (`LOG_FORMAT=pretty`) the same records are
 * printed as readable lines by pino-pretty; production keeps one JSON object per line.
 */
import { createRequire } from 'node:module';
import { currentTraceIds } from '@quickeats/telemetry';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * pino-pretty as an in-process stream, loaded only when asked for (never by production, whose
 * bundle leaves it out); null when it cannot be loaded, and the logs stay JSON.
 */
export function prettyStream(destination?: NodeJS.WritableStream): pino.DestinationStream | null {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (
      options: object,
    ) => pino.DestinationStream;
    return pretty({
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      ...(destination ? { destination, colorize: false } : {}),
    });
  } catch {
    return null;
  }
}

export function createLogger(level: string, destination?: pino.DestinationStream | 'pretty'): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'quickeats-api', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => currentTraceIds() ?? {},
    // Never in a log line: credentials, tokens, hashes, nor the parameters of a failed SQL statement
    // (postgres.js errors carry them: a failed seed once printed every demo password hash).
    redact: {
      paths: [
        'req.headers.authorization',
        'password',
        '*.password',
        'accessToken',
        '*.accessToken',
        'passwordHash',
        '*.passwordHash',
        'err.parameters',
        'err.args',
        'err.cause.parameters',
      ],
      censor: '[redacted]',
    },
  };
  const stream = destination === 'pretty' ? prettyStream() : destination;
  return stream ? pino(options, stream) : pino(options);
}
