// What every metric of the catalogue is (type, unit, origin, labels) and the bucket layouts several
// components share. The catalogue itself is split per component (gateway.ts, mirror.ts, monitor.ts)
// and gathered in index.ts; names follow existing Kafka tooling (see index.ts).
//
// No runtime dependencies on purpose: the dashboard generator imports the catalogue too.

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** The process that registers the metric. */
export type Component = 'gateway' | 'mirror' | 'monitor';

/** What unit the value is in; the dashboards pick Grafana units from this. */
export type MetricUnit = 'seconds' | 'milliseconds' | 'bytes' | 'records' | 'requests' | 'events' | 'code';

/** Where the name comes from, i.e. which existing tool's dashboards/alerts it stays compatible with. */
export type MetricOrigin =
  | {
      /** A Kafka JMX MBean, named as jmx_exporter renders it with the given rule set. */
      readonly kind: 'jmx';
      /** ObjectName pattern, e.g. `kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*`. */
      readonly mbean: string;
      /** MBean attribute that carries the value (`Count`, `connection-count`, ...). */
      readonly attribute: string;
      /** Which jmx_exporter rules produce exactly this name. */
      readonly rendering: string;
    }
  | { readonly kind: 'kafka_exporter' }
  | { readonly kind: 'kafka-lag-exporter' }
  | { readonly kind: 'burrow'; readonly note: string }
  | { readonly kind: 'kminion' }
  | { readonly kind: 'kgw'; readonly note: string };

export interface MetricDef<N extends string = string, L extends string = string> {
  readonly name: N;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly L[];
  readonly unit: MetricUnit;
  readonly component: Component;
  readonly origin: MetricOrigin;
  /** Histogram bucket upper bounds, in `unit`. Only for histograms. */
  readonly buckets?: readonly number[];
  /** Labels we add to, or leave out of, the original tool's label set, and why. */
  readonly compatibilityNote?: string;
}

// `const` type parameters keep the literal name and label tuple, so prom-client's
// `counter.inc({ request: 'Produce' })` is checked against the catalogue's labels.
export function metric<const N extends string, const L extends string>(
  def: MetricDef<N, L>,
): MetricDef<N, L> {
  return Object.freeze({ ...def, labelNames: Object.freeze([...def.labelNames]) });
}

// ----- bucket layouts --------------------------------------------------------------------------

/** Request latencies in milliseconds (Kafka's RequestMetrics histograms are in ms). */
export const REQUEST_MS_BUCKETS = Object.freeze([
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
]);
/** Replication and probe latencies in seconds: sub-second within a DC up to minutes across DCs. */
export const REPLICATION_SECONDS_BUCKETS = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
]);
/** KMinion-style probe latencies in seconds (its SLA defaults: ack 5 s, commit 10 s, roundtrip 20 s). */
export const PROBE_SECONDS_BUCKETS = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20,
]);
/** Monitor collection cycle duration in seconds. */
export const CYCLE_SECONDS_BUCKETS = Object.freeze([0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
