import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentTraceIds,
  inSpan,
  serverSpan,
  startSpan,
  startTracing,
  type Tracing,
  traceHeaders,
  tracingActive,
} from './index';

const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_PARENT = '00f067aa0ba902b7';

describe('telemetry', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('does nothing while tracing is off: no spans, no headers, no ids', async () => {
    expect(tracingActive()).toBe(false);
    expect(await inSpan('x', {}, async () => 42)).toBe(42);
    expect(startSpan('y', {})).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    expect(currentTraceIds()).toBeUndefined();
  });

  it('nests spans, propagates W3C traceparent and continues an incoming trace', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'test', exporter });
    let outgoing: Record<string, string> = {};
    let ids: ReturnType<typeof currentTraceIds>;
    const app = new Hono();
    app.use(serverSpan(() => '/things/:id'));
    app.get('/things/:id', async (c) => {
      await inSpan('service', { attributes: { 'thing.id': c.req.param('id') } }, async () => {
        startSpan('db SELECT', { kind: 'client' })?.();
        await inSpan('call', { kind: 'client' }, async () => {
          outgoing = traceHeaders();
          ids = currentTraceIds();
        });
      });
      return c.text('ok');
    });
    const res = await app.request('/things/7', {
      headers: { traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` },
    });
    expect(res.status).toBe(200);

    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['GET /things/:id', 'call', 'db SELECT', 'service']);
    for (const span of spans) expect(span.spanContext().traceId).toBe(INCOMING_TRACE);
    const server = byName.get('GET /things/:id')!;
    expect(server.parentSpanContext?.spanId).toBe(INCOMING_PARENT);
    expect(server.attributes).toMatchObject({
      'http.route': '/things/:id',
      'http.response.status_code': 200,
    });
    expect(byName.get('service')!.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(byName.get('db SELECT')!.parentSpanContext?.spanId).toBe(
      byName.get('service')!.spanContext().spanId,
    );
    const call = byName.get('call')!;
    expect(outgoing.traceparent).toBe(`00-${INCOMING_TRACE}-${call.spanContext().spanId}-01`);
    expect(ids).toEqual({ trace_id: INCOMING_TRACE, span_id: call.spanContext().spanId });
  });

  it('marks a failed span as an error and rethrows', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracing({ serviceName: 'test', exporter });
    await expect(inSpan('boom', {}, async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: 2, message: 'nope' });
  });
});
