/**
 * Metrics the monitor needs that monitor/metric-names.ts (owned by the catalogue's maintainer)
 * does not define yet. Same shape as the catalogue so moving them there is a cut-and-paste; until
 * then the dashboards cannot reference them. Reported in issue #7.
 */
import type { MetricDef } from './metric-names.js';

function pending<const N extends string, const L extends string>(def: MetricDef<N, L>): MetricDef<N, L> {
  return Object.freeze({ ...def, labelNames: Object.freeze([...def.labelNames]) });
}

export const MIRROR_PARTITION_LAG_RECORDS = pending({
  name: 'kgw_mirror_partition_lag_records',
  help: 'Records on a source partition not yet on the target (source log end minus the source offset the target has replicated up to).',
  type: 'gauge',
  labelNames: ['source', 'target', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'computed by the monitor from offset syncs and log end offsets' },
});

export const MIRROR_PARTITION_LAG_SECONDS = pending({
  name: 'kgw_mirror_partition_lag_seconds',
  help: 'How long ago the source log end was at the offset the target has replicated up to, in seconds (interpolated).',
  type: 'gauge',
  labelNames: ['source', 'target', 'topic', 'partition'],
  unit: 'seconds',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'Kafka Lag Exporter-style interpolation over the source partition' },
});

export const MONITOR_CYCLE_FAILURES_TOTAL = pending({
  name: 'kgw_monitor_cycle_failures_total',
  help: 'Collection cycles that failed or missed their deadline, per cluster and reason (error, deadline, skipped).',
  type: 'counter',
  labelNames: ['cluster', 'reason'],
  unit: 'events',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'self-monitoring of the collection loop' },
});
