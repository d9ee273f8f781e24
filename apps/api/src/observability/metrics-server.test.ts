/**
 * `/metrics` lives on its own port, never on the API's: started by `startServer` as an operator
 * would configure it (METRICS_PORT), on a real PostgreSQL database.
 */
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server';
import { parseScrape } from '../testing/prometheus';
import { testConfig } from '../testing/test-app';
import { METRICS } from './metrics';

describe('metrics port', () => {
  let database: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startServer(
      testConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('serves the Prometheus page on the metrics port and not on the API port', async () => {
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(server.metricsUrl!).port).not.toBe(new URL(server.url).port);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);

    const res = await fetch(server.metricsUrl!);
    expect(res.status).toBe(200);
    const page = parseScrape(await res.text());
    expect(page.histogramCount(METRICS.httpRequestDuration.name, { route: '/healthz', status: '200' })).toBe(
      1,
    );
    expect(page.histogramCount(METRICS.httpRequestDuration.name, { route: 'unmatched', status: '404' })).toBe(
      1,
    );
  });

  it('is off without METRICS_PORT', () => {
    expect(testConfig().metrics).toBeUndefined();
    expect(testConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(() => testConfig({ METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
  });
});
