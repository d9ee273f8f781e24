/**
 * `GET /metrics` in the Prometheus text format, on its own port (`METRICS_PORT`), never on the API's:
 * the public load balancer forwards only the API port, so the page needs no token, and a scrape
 * never queues behind API traffic or counts itself in the HTTP metrics.
 *
 * Under the `node:cluster` supervisor the primary serves the port and answers with the sum of its
 * workers' registries (prom-client's AggregatorRegistry asks each worker over the cluster IPC);
 * each worker only makes its registry available (`shareWithClusterPrimary`). A single process serves
 * its own registry.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** What a scrape reads: one process's registry, or the cluster's workers summed. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

export function registrySource(registry: Registry): MetricsSource {
  return { contentType: registry.contentType, metrics: () => registry.metrics() };
}

/** In the cluster primary: the workers' metrics, aggregated (counters and histograms summed). */
export function clusterSource(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() };
}

/** In a cluster worker: answer the primary's metric requests with this registry. */
export function shareWithClusterPrimary(registry: Registry): void {
  new AggregatorRegistry(); // installs the worker's IPC listener
  AggregatorRegistry.setRegistries([registry]);
}

export function metricsApp(source: MetricsSource) {
  return new Hono().get('/metrics', async (c) => {
    const body = await source.metrics();
    return c.body(body, 200, { 'Content-Type': source.contentType });
  });
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  source: MetricsSource,
  options: { port: number; host: string },
): Promise<MetricsServer> {
  const app = metricsApp(source);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}
