/**
 * OpenTelemetry tracing for the QuickEats processes (the API and the fake payment provider).
 *
 * Off by default at no cost: until `startTracing` runs, nothing of the SDK is even loaded, and
 * `inSpan`/`startSpan`/`traceHeaders`/`currentTraceIds` return at once. Started (an OTLP endpoint
 * is configured through the standard OTEL_* variables), it registers a Node tracer provider: spans
 * follow async work through AsyncLocalStorage, W3C `traceparent` is read from requests and written
 * to outgoing calls, and spans are batched to the OTLP/HTTP exporter (which reads
 * OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself; the sampler honours OTEL_TRACES_SAMPLER).
 *
 * The tracer is process-wide by nature (OpenTelemetry's global provider): one `startTracing` per
 * process, undone by `shutdown`.
 */
import type * as OtelApi from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Context, MiddlewareHandler } from 'hono';

let otel: typeof OtelApi | undefined;
let tracer: OtelApi.Tracer | undefined;

export interface TracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /** Export here, span by span, instead of batching to OTLP (tests pass an in-memory exporter). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Export what is buffered. */
  forceFlush(): Promise<void>;
  /** Flush, then stop tracing in this process. */
  shutdown(): Promise<void>;
}

/**
 * @example
 * const tracing = await startTracing({ serviceName: 'quickeats-api' });
 * // … serve …
 * await tracing.shutdown();
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, sdk, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  const exporter =
    options.exporter ?? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      options.exporter ? new sdk.SimpleSpanProcessor(exporter) : new sdk.BatchSpanProcessor(exporter),
    ],
  });
  // The AsyncLocalStorage context manager and the W3C trace-context + baggage propagators.
  provider.register();
  otel = api;
  tracer = api.trace.getTracer('quickeats');
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.shutdown();
      otel = undefined;
      tracer = undefined;
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}

export function tracingActive(): boolean {
  return tracer !== undefined;
}

export type SpanKindName = 'server' | 'client' | 'internal';
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

function kindOf(api: typeof OtelApi, kind: SpanKindName | undefined): OtelApi.SpanKind {
  if (kind === 'server') return api.SpanKind.SERVER;
  if (kind === 'client') return api.SpanKind.CLIENT;
  return api.SpanKind.INTERNAL;
}

function endWith(api: typeof OtelApi, span: OtelApi.Span, error: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: api.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : undefined,
    });
  }
  span.end();
}

/**
 * Run `fn` inside a new span, a child of the active one; work `fn` starts (statements, provider
 * calls) become its children. With tracing off, just `fn()`.
 *
 * @example
 * return inSpan('order.pay', { attributes: { 'order.id': id } }, () => performAction(...));
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKindName; attributes?: SpanAttributes },
  fn: () => Promise<T>,
): Promise<T> {
  const api = otel;
  if (!api || !tracer) return fn();
  return tracer.startActiveSpan(
    name,
    { kind: kindOf(api, options.kind), attributes: options.attributes },
    async (span) => {
      try {
        const result = await fn();
        endWith(api, span, undefined);
        return result;
      } catch (error) {
        endWith(api, span, error);
        throw error;
      }
    },
  );
}

/**
 * Start a span that is not made active (a leaf: one SQL statement), child of the active span;
 * returns its end, or undefined with tracing off.
 */
export function startSpan(
  name: string,
  options: { kind?: SpanKindName; attributes?: SpanAttributes },
): ((error?: unknown) => void) | undefined {
  const api = otel;
  if (!api || !tracer) return undefined;
  const span = tracer.startSpan(name, { kind: kindOf(api, options.kind), attributes: options.attributes });
  return (error) => endWith(api, span, error);
}

/** W3C trace-context headers (`traceparent`, `tracestate`) for an outgoing call; {} when off. */
export function traceHeaders(): Record<string, string> {
  const api = otel;
  if (!api) return {};
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.context.active(), carrier);
  return carrier;
}

/** The active span's ids, for log lines (`trace_id`, `span_id`); undefined when off or outside a span. */
export function currentTraceIds(): { trace_id: string; span_id: string } | undefined {
  const api = otel;
  if (!api) return undefined;
  const span = api.trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Hono middleware: a SERVER span per request, continuing the caller's trace when the request
 * carries a W3C `traceparent`. Named `<METHOD> <route>` once the response is known (`routeOf`
 * returns a bounded route name, never the concrete path). Install it only when tracing is on.
 */
export function serverSpan<C extends Context>(routeOf: (c: C) => string): MiddlewareHandler {
  return async (c, next) => {
    const api = otel;
    if (!api || !tracer) return next();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const parent = api.propagation.extract(api.ROOT_CONTEXT, headers);
    const method = c.req.method;
    const span = tracer.startSpan(
      method,
      {
        kind: api.SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'url.path': c.req.path },
      },
      parent,
    );
    try {
      await api.context.with(api.trace.setSpan(parent, span), next);
    } finally {
      const route = routeOf(c as C);
      const status = c.res.status;
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    }
  };
}
