/**
 * The Prometheus metrics of the API, defined once as data (like the lifecycle table): name, kind,
 * help, labels and — where the set is closed — every label value, so each series exists from the
 * first scrape at 0 (a counter that appears only on its first increment makes `rate()` miss it).
 * Everything else (the registry, the typed `count`/`observe` calls, the README's list) is derived.
 *
 * Other parts of the API record through the `Metrics` they are handed (`deps.metrics`); with
 * metrics off (no `METRICS_PORT`) that is `NO_METRICS`, whose calls do nothing.
 *
 * @example
 * deps.metrics.count('idempotencyOutcomes', { outcome: 'replayed' });
 * deps.metrics.observe('eventLag', { consumer: 'webhook' }, lagSeconds);
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COUNT_BUCKETS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128];

interface MetricDefinition {
  kind: 'counter' | 'histogram' | 'gauge';
  name: string;
  help: string;
  labels: readonly string[];
  /** The closed set of values of a label: those series are created at 0. */
  values?: Readonly<Record<string, readonly string[]>>;
  buckets?: readonly number[];
}

export const METRICS = {
  httpRequestDuration: {
    kind: 'histogram',
    name: 'quickeats_http_request_duration_seconds',
    help: 'HTTP requests by method, route (REST template, `trpc <procedure>`, `graphql <type> <operation>`) and status',
    labels: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
  },
  dbStatementsPerRequest: {
    kind: 'histogram',
    name: 'quickeats_db_statements_per_request',
    help: 'SQL statements one HTTP request issued, by method and route',
    labels: ['method', 'route'],
    buckets: COUNT_BUCKETS,
  },
  dbRoundTripsPerRequest: {
    kind: 'histogram',
    name: 'quickeats_db_round_trips_per_request',
    help: 'Database round trips one HTTP request made, by method and route',
    labels: ['method', 'route'],
    buckets: COUNT_BUCKETS,
  },
  dbPoolConnections: {
    kind: 'gauge',
    name: 'quickeats_db_pool_connections',
    help: 'Connections of the pool: `max` (configured), `in_use` and `waiting` (work queued for one)',
    labels: ['state'],
    values: { state: ['max', 'in_use', 'waiting'] },
  },
  dbReplicaLagSeconds: {
    kind: 'gauge',
    name: 'quickeats_db_replica_lag_seconds',
    help: 'Streaming replica lag: seconds since the last transaction it replayed while WAL is outstanding (0 caught up, -1 unreachable)',
    labels: ['replica'],
  },
  dbReplicaLagBytes: {
    kind: 'gauge',
    name: 'quickeats_db_replica_lag_bytes',
    help: 'Streaming replica lag: WAL bytes the primary wrote that the replica has not replayed (-1 unreachable)',
    labels: ['replica'],
  },
  dbReplicaFallbacks: {
    kind: 'counter',
    name: 'quickeats_db_replica_fallbacks_total',
    help: 'Replica-eligible reads served by the primary: unavailable (no replica up), lagging (all past DATABASE_REPLICA_MAX_LAG_MS), error (the replica failed the read), stale (read-your-writes: older than the ETag the client holds, or not there yet)',
    labels: ['reason'],
    values: { reason: ['unavailable', 'lagging', 'error', 'stale'] },
  },
  idempotencyOutcomes: {
    kind: 'counter',
    name: 'quickeats_idempotency_outcomes_total',
    help: 'Requests with an Idempotency-Key: new (ran), replayed, in_flight (409), mismatch (422), lease_lost (its lease was taken over before it finished)',
    labels: ['outcome'],
    values: { outcome: ['new', 'replayed', 'in_flight', 'mismatch', 'lease_lost'] },
  },
  paymentOutcomes: {
    kind: 'counter',
    name: 'quickeats_payment_outcomes_total',
    help: 'Payment provider calls: charged, refunded, outcome_unknown (retried with the same key), refused (declined or invalid), reconciled (an orphan charge settled)',
    labels: ['outcome'],
    values: { outcome: ['charged', 'refunded', 'outcome_unknown', 'refused', 'reconciled'] },
  },
  refundFailures: {
    kind: 'counter',
    name: 'quickeats_refund_failures_total',
    help: 'Refunds of cancelled/rejected orders that failed: failed (an attempt failed; the next one backs off), recovered (a retry refunded), needs_attention (the attempts ran out: an operator must act; logged once)',
    labels: ['outcome'],
    values: { outcome: ['failed', 'recovered', 'needs_attention'] },
  },
  rateLimitRefusals: {
    kind: 'counter',
    name: 'quickeats_rate_limit_refusals_total',
    help: 'Requests refused with 429, by rate-limit policy',
    labels: ['policy'],
  },
  eventLag: {
    kind: 'histogram',
    name: 'quickeats_event_lag_seconds',
    help: 'From an order event committing to its delivery, by consumer (sse, trpc, webhook)',
    labels: ['consumer'],
    buckets: LATENCY_BUCKETS,
  },
  webhookDeliveries: {
    kind: 'counter',
    name: 'quickeats_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed, endpoint_disabled)',
    labels: ['outcome'],
    values: { outcome: ['delivered', 'failed', 'endpoint_disabled'] },
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;
type KeysOfKind<K extends MetricDefinition['kind']> = {
  [M in MetricKey]: (typeof METRICS)[M]['kind'] extends K ? M : never;
}[MetricKey];
export type CounterKey = KeysOfKind<'counter'>;
export type HistogramKey = KeysOfKind<'histogram'>;
export type GaugeKey = KeysOfKind<'gauge'>;

/** The labels of a metric; a label with a closed set of values takes only those. */
export type LabelsOf<M extends MetricKey> = {
  [L in (typeof METRICS)[M]['labels'][number]]: (typeof METRICS)[M] extends {
    values: { [P in L]: readonly (infer V)[] };
  }
    ? V
    : string;
};

/** A gauge's current values, read at scrape time. */
export type GaugeReader<M extends GaugeKey> = () => Array<{ labels: LabelsOf<M>; value: number }>;

export interface Metrics {
  readonly enabled: boolean;
  /** The registry to expose (undefined when metrics are off). */
  readonly registry: Registry | undefined;
  count<M extends CounterKey>(metric: M, labels: LabelsOf<M>, by?: number): void;
  observe<M extends HistogramKey>(metric: M, labels: LabelsOf<M>, value: number): void;
  /** Let a gauge read its values when scraped (a pool's sizes); replaces the previous reader. */
  readGauge<M extends GaugeKey>(metric: M, read: GaugeReader<M>): void;
}

/** Metrics off: every call is a no-op, so instrumented code needs no `if`. */
export const NO_METRICS: Metrics = {
  enabled: false,
  registry: undefined,
  count: () => {},
  observe: () => {},
  readGauge: () => {},
};

type Instrument = Counter<string> | Histogram<string> | Gauge<string>;

/** Every combination of a metric's closed label values (none when a label is open). */
function closedLabelSets(def: MetricDefinition): Array<Record<string, string>> {
  const values = def.values ?? {};
  if (!def.labels.every((l) => values[l] !== undefined)) return [];
  return def.labels.reduce<Array<Record<string, string>>>(
    (sets, label) => sets.flatMap((set) => (values[label] ?? []).map((v) => ({ ...set, [label]: v }))),
    [{}],
  );
}

/**
 * A registry holding the table's metrics and Node's default ones (event-loop lag, heap, GC, CPU,
 * handles). One per process: under the cluster supervisor the primary sums the workers' registries.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gaugeReaders = new Map<GaugeKey, GaugeReader<GaugeKey>>();
  const instruments = new Map<MetricKey, Instrument>();
  for (const [key, def] of Object.entries(METRICS) as Array<[MetricKey, MetricDefinition]>) {
    const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
    let instrument: Instrument;
    if (def.kind === 'counter') instrument = new Counter(common);
    else if (def.kind === 'histogram')
      instrument = new Histogram({ ...common, buckets: [...(def.buckets ?? LATENCY_BUCKETS)] });
    else {
      instrument = new Gauge({
        ...common,
        collect() {
          const read = gaugeReaders.get(key as GaugeKey);
          if (!read) return;
          for (const { labels, value } of read()) this.set(labels, value);
        },
      });
    }
    for (const labels of closedLabelSets(def)) {
      if (instrument instanceof Histogram) instrument.zero(labels);
      else if (instrument instanceof Counter) instrument.inc(labels, 0);
    }
    instruments.set(key, instrument);
  }
  return {
    enabled: true,
    registry,
    count(metric, labels, by = 1) {
      (instruments.get(metric) as Counter<string>).inc(labels as Record<string, string>, by);
    },
    observe(metric, labels, value) {
      (instruments.get(metric) as Histogram<string>).observe(labels as Record<string, string>, value);
    },
    readGauge(metric, read) {
      gaugeReaders.set(metric, read as GaugeReader<GaugeKey>);
    },
  };
}

/** The metrics list of the README ("Operating it"), generated from the table. */
export function metricsTable(): string {
  const rows = Object.values(METRICS).map((def: MetricDefinition) => {
    const labels = def.labels
      .map((l) => (def.values?.[l] ? `${l} (${def.values[l].join(', ')})` : l))
      .join('; ');
    return `| \`${def.name}\` | ${def.kind} | ${labels} | ${def.help} |`;
  });
  return ['| metric | kind | labels | what |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
