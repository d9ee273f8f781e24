/** For tests that assert on spans: an exporter keeping every finished span in memory. */
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
