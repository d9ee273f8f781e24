/**
 * Under the `node:cluster` supervisor the primary's metrics page is the sum of its workers': two
 * real worker processes record known amounts, and the primary's scrape (prom-client's
 * AggregatorRegistry over the cluster IPC) shows their total, parsed as Prometheus would.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScrape } from '../testing/prometheus';
import { METRICS } from './metrics';
import { clusterSource } from './metrics-server';

const WORKER = fileURLToPath(new URL('../testing/metrics-cluster-worker.ts', import.meta.url));

describe('metrics under the cluster supervisor', () => {
  const workers: Worker[] = [];
  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.kill();
          }),
      ),
    );
  });

  it('sums the workers’ counters and histograms on the primary', async () => {
    cluster.setupPrimary({ exec: WORKER, execArgv: ['--import', 'tsx'], silent: true });
    const source = clusterSource();
    for (const replays of [3, 4]) {
      const worker = cluster.fork({ REPLAYS: String(replays) });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
        worker.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
      });
    }
    const page = parseScrape(await source.metrics());
    expect(page.value(METRICS.idempotencyOutcomes.name, { outcome: 'replayed' })).toBe(7);
    expect(page.value(METRICS.idempotencyOutcomes.name, { outcome: 'new' })).toBe(0);
    expect(page.histogramCount(METRICS.httpRequestDuration.name, { route: '/healthz', status: '200' })).toBe(
      2,
    );
    expect(page.families.map((f) => f.name)).toContain('nodejs_eventloop_lag_seconds');
  });
});
