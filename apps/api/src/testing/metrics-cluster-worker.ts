/**
 * A `node:cluster` worker for the metrics aggregation test: records a known amount, shares its
 * registry with the primary as an API worker does, and says when it is ready.
 */
import { createMetrics } from '../observability/metrics';
import { shareWithClusterPrimary } from '../observability/metrics-server';

const metrics = createMetrics();
shareWithClusterPrimary(metrics.registry!);
metrics.count('idempotencyOutcomes', { outcome: 'replayed' }, Number(process.env.REPLAYS));
metrics.observe('httpRequestDuration', { method: 'GET', route: '/healthz', status: '200' }, 0.01);
process.send?.('ready');
