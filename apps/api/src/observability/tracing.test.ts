/**
 * One REST pay, traced end to end with an in-memory exporter: the caller's `traceparent` is
 * honoured, and the trace holds the HTTP server span, the service span, one span per SQL statement
 * (text, never parameters), the client span of the provider call, and — because `traceparent`
 * travels with the call — the fake provider's own server span continuing the trace. The provider
 * runs in this process so that its spans reach the same exporter; the database is real PostgreSQL.
 */
import { Writable } from 'node:stream';
import { type RunningProvider, startProvider } from '@quickeats/payment-provider';
import { HttpPaymentProvider } from '@quickeats/payment-provider/client';
import type { Tracing } from '@quickeats/telemetry';
import { InMemorySpanExporter, type ReadableSpan } from '@quickeats/telemetry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { demoDish, newKey, placeOrder, postInit } from '../testing/orders-fixture';
import { createTestApp, DEMO_ACCOUNTS, type TestApp } from '../testing/test-app';
import { startApiTracing } from './tracing';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('tracing a REST pay', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Array<Record<string, unknown>> = [];
  let tracing: Tracing;
  let provider: RunningProvider;
  let t: TestApp;

  beforeAll(async () => {
    // Tracing first: the app installs its server span only when a tracer is registered.
    tracing = await startApiTracing({ serviceName: 'quickeats-api-test', exporter });
    provider = await startProvider();
    const logs = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    t = await createTestApp({
      seed: { orders: 0 },
      paymentProvider: new HttpPaymentProvider({ baseUrl: provider.url, timeoutMs: 10_000 }),
      logger: createLogger('info', logs),
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
    await tracing?.shutdown();
  });

  it('is one trace under the caller’s: HTTP span → service span → SQL spans and the provider call, continued by the provider', async () => {
    const customer = await t.tokenFor(DEMO_ACCOUNTS.customer);
    const dish = await demoDish(t.database.db);
    const { id: orderId } = await placeOrder((p, i) => t.app.request(p, i), customer, dish);
    exporter.reset();

    const init = postInit({ token: customer, key: newKey(), ifMatch: '"v1"' });
    const paid = await t.app.request(`/api/v2/orders/${orderId}/pay`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
      },
    });
    expect(paid.status).toBe(200);
    await tracing.forceFlush();

    const spans = exporter.getFinishedSpans();
    // Everything the pay did is in the caller's trace.
    expect(spans.length).toBeGreaterThan(4);
    for (const span of spans) expect(span.spanContext().traceId).toBe(TRACE_ID);
    const named = (name: string) => spans.filter((s) => s.name === name);
    const one = (name: string): ReadableSpan => {
      const found = named(name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
    const idOf = (span: ReadableSpan) => span.spanContext().spanId;

    const http = one('POST /api/v2/orders/:id/pay');
    expect(parentOf(http)).toBe(CALLER_SPAN);
    expect(http.attributes).toMatchObject({
      'http.route': '/api/v2/orders/:id/pay',
      'http.response.status_code': 200,
    });

    const service = one('order.pay');
    expect(parentOf(service)).toBe(idOf(http));
    expect(service.attributes).toMatchObject({ 'order.id': orderId, 'order.action': 'pay' });

    const sql = spans.filter((s) => s.name.startsWith('db '));
    expect(sql.length).toBeGreaterThanOrEqual(2);
    // The service's statements are its children; the idempotency layer's (the key's lease, which
    // reads the order with it) are the request's.
    expect(sql.filter((s) => parentOf(s) === idOf(service)).length).toBeGreaterThanOrEqual(1);
    expect(sql.filter((s) => parentOf(s) === idOf(http)).length).toBeGreaterThanOrEqual(1);
    for (const s of sql) {
      expect(s.attributes['db.query.text']).toEqual(expect.any(String));
      // Statement text only: the order id travels as a parameter and is never recorded.
      expect(String(s.attributes['db.query.text'])).not.toContain(orderId);
    }
    expect(sql.some((s) => /update "orders"|with/i.test(String(s.attributes['db.query.text'])))).toBe(true);

    const call = one('payment-provider POST /v1/charges');
    expect(parentOf(call)).toBe(idOf(service));
    const continued = one('POST /v1/charges');
    expect(parentOf(continued)).toBe(idOf(call));

    // Logs of the request carry the ids of the span they were written in.
    const access = logLines.find((l) => l.msg === 'request' && l.path === `/api/v2/orders/${orderId}/pay`);
    expect(access).toMatchObject({ trace_id: TRACE_ID, span_id: idOf(http) });
  });
});
