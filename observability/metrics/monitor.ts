// The monitor's metrics: kafka_exporter, Kafka Lag Exporter, Burrow and KMinion names, plus kgw_ ones.

import {
  metric,
  REPLICATION_SECONDS_BUCKETS,
  PROBE_SECONDS_BUCKETS,
  CYCLE_SECONDS_BUCKETS,
} from './common.js';

// ----- Burrow status codes -----------------------------------------------------------------------

/** Burrow's StatusConstant values (core/protocol/evaluator.go), exported as the gauge value of kgw_burrow_status. */
export const BURROW_STATUS = Object.freeze({
  NOTFOUND: 0,
  OK: 1,
  WARN: 2,
  ERR: 3,
  STOP: 4,
  STALL: 5,
  REWIND: 6,
} as const);
export type BurrowStatusName = keyof typeof BURROW_STATUS;

// ===== monitor: kafka_exporter names ============================================================

const kafkaExporterClusterNote =
  'adds `cluster`: one monitor watches several clusters (kafka_exporter runs one instance per cluster).';

export const CONSUMERGROUP_LAG = metric({
  name: 'kafka_consumergroup_lag',
  help: 'Committed offset lag of a consumer group on a partition, in records.',
  type: 'gauge',
  labelNames: ['cluster', 'consumergroup', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const CONSUMERGROUP_LAG_SUM = metric({
  name: 'kafka_consumergroup_lag_sum',
  help: 'Committed offset lag of a consumer group summed over the partitions of a topic, in records.',
  type: 'gauge',
  labelNames: ['cluster', 'consumergroup', 'topic'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const CONSUMERGROUP_CURRENT_OFFSET = metric({
  name: 'kafka_consumergroup_current_offset',
  help: 'Committed offset of a consumer group on a partition.',
  type: 'gauge',
  labelNames: ['cluster', 'consumergroup', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const CONSUMERGROUP_CURRENT_OFFSET_SUM = metric({
  name: 'kafka_consumergroup_current_offset_sum',
  help: 'Committed offsets of a consumer group summed over the partitions of a topic.',
  type: 'gauge',
  labelNames: ['cluster', 'consumergroup', 'topic'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const CONSUMERGROUP_MEMBERS = metric({
  name: 'kafka_consumergroup_members',
  help: 'Number of members in a consumer group.',
  type: 'gauge',
  labelNames: ['cluster', 'consumergroup'],
  unit: 'events',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const TOPIC_PARTITION_CURRENT_OFFSET = metric({
  name: 'kafka_topic_partition_current_offset',
  help: 'Log end offset of a partition.',
  type: 'gauge',
  labelNames: ['cluster', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

export const TOPIC_PARTITION_OLDEST_OFFSET = metric({
  name: 'kafka_topic_partition_oldest_offset',
  help: 'Log start (oldest available) offset of a partition.',
  type: 'gauge',
  labelNames: ['cluster', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka_exporter' },
  compatibilityNote: kafkaExporterClusterNote,
});

// ===== monitor: Kafka Lag Exporter names =========================================================

const lagExporterMemberNote =
  'leaves out member_host, consumer_id and client_id: they change on every rebalance, which breaks series ' +
  'continuity for `for:` clauses in alerts.';

export const GROUP_OFFSET = metric({
  name: 'kafka_consumergroup_group_offset',
  help: 'Last committed offset of a consumer group on a partition.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
  compatibilityNote: lagExporterMemberNote,
});

export const GROUP_LAG = metric({
  name: 'kafka_consumergroup_group_lag',
  help: 'Log end offset minus committed offset of a consumer group on a partition, in records.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
  compatibilityNote: lagExporterMemberNote,
});

export const GROUP_LAG_SECONDS = metric({
  name: 'kafka_consumergroup_group_lag_seconds',
  help: 'Estimated time lag of a consumer group on a partition (interpolated from observed log end offsets), in seconds.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'topic', 'partition'],
  unit: 'seconds',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
  compatibilityNote: lagExporterMemberNote,
});

export const GROUP_MAX_LAG = metric({
  name: 'kafka_consumergroup_group_max_lag',
  help: 'Highest partition lag of a consumer group, in records.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'is_simple_consumer'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

export const GROUP_MAX_LAG_SECONDS = metric({
  name: 'kafka_consumergroup_group_max_lag_seconds',
  help: 'Highest partition time lag of a consumer group, in seconds.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'is_simple_consumer'],
  unit: 'seconds',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

export const GROUP_SUM_LAG = metric({
  name: 'kafka_consumergroup_group_sum_lag',
  help: 'Lag of a consumer group summed over all its partitions, in records.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

export const GROUP_TOPIC_SUM_LAG = metric({
  name: 'kafka_consumergroup_group_topic_sum_lag',
  help: 'Lag of a consumer group summed over the partitions of one topic, in records.',
  type: 'gauge',
  labelNames: ['cluster_name', 'group', 'topic'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

export const PARTITION_LATEST_OFFSET = metric({
  name: 'kafka_partition_latest_offset',
  help: 'Latest (log end) offset of a partition consumed by some monitored group.',
  type: 'gauge',
  labelNames: ['cluster_name', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

export const PARTITION_EARLIEST_OFFSET = metric({
  name: 'kafka_partition_earliest_offset',
  help: 'Earliest available offset of a partition consumed by some monitored group.',
  type: 'gauge',
  labelNames: ['cluster_name', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kafka-lag-exporter' },
});

// ===== monitor: Burrow-style status ==============================================================

export const BURROW_GROUP_STATUS = metric({
  name: 'kgw_burrow_status',
  help: 'Burrow-style consumer group status as a number: NOTFOUND 0, OK 1, WARN 2, ERR 3, STOP 4, STALL 5, REWIND 6.',
  type: 'gauge',
  labelNames: ['cluster', 'group'],
  unit: 'code',
  component: 'monitor',
  origin: {
    kind: 'burrow',
    note: "the `status` of Burrow's /v3/kafka/(cluster)/consumer/(group)/status, as StatusConstant's numeric value",
  },
});

export const BURROW_PARTITION_STATUS = metric({
  name: 'kgw_burrow_partition_status',
  help: 'Burrow-style status of one partition of a consumer group (same codes as kgw_burrow_status).',
  type: 'gauge',
  labelNames: ['cluster', 'group', 'topic', 'partition'],
  unit: 'code',
  component: 'monitor',
  origin: { kind: 'burrow', note: "`partitions[].status` of Burrow's consumer group status response" },
});

// ===== monitor: KMinion end-to-end probe ========================================================

const kminionClusterNote =
  'adds `cluster`: one monitor probes several clusters (KMinion runs one instance per cluster).';

export const PROBE_MESSAGES_PRODUCED_IN_FLIGHT = metric({
  name: 'kminion_end_to_end_messages_produced_in_flight',
  help: 'Probe messages produced but not yet acknowledged or failed.',
  type: 'gauge',
  labelNames: ['cluster', 'partition_id'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_MESSAGES_PRODUCED_TOTAL = metric({
  name: 'kminion_end_to_end_messages_produced_total',
  help: 'Probe messages produced (counted when the cluster answers: success, failure or timeout).',
  type: 'counter',
  labelNames: ['cluster', 'partition_id'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_MESSAGES_PRODUCED_FAILED_TOTAL = metric({
  name: 'kminion_end_to_end_messages_produced_failed_total',
  help: 'Probe messages that failed to produce (error or timeout).',
  type: 'counter',
  labelNames: ['cluster', 'partition_id'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_MESSAGES_RECEIVED_TOTAL = metric({
  name: 'kminion_end_to_end_messages_received_total',
  help: 'Probe messages consumed back within the roundtrip SLA.',
  type: 'counter',
  labelNames: ['cluster'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_MESSAGES_LOST_TOTAL = metric({
  name: 'kminion_end_to_end_messages_lost_total',
  help: 'Probe messages acknowledged by the cluster but not consumed back within the roundtrip SLA.',
  type: 'counter',
  labelNames: ['cluster'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_OFFSET_COMMITS_TOTAL = metric({
  name: 'kminion_end_to_end_offset_commits_total',
  help: "Offset commits of the probe's consumer group that finished within the commit SLA.",
  type: 'counter',
  labelNames: ['cluster'],
  unit: 'events',
  component: 'monitor',
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_PRODUCE_LATENCY_SECONDS = metric({
  name: 'kminion_end_to_end_produce_latency_seconds',
  help: 'Time until the cluster acknowledged a probe message, in seconds.',
  type: 'histogram',
  labelNames: ['cluster', 'partition_id'],
  unit: 'seconds',
  component: 'monitor',
  buckets: PROBE_SECONDS_BUCKETS,
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_ROUNDTRIP_LATENCY_SECONDS = metric({
  name: 'kminion_end_to_end_roundtrip_latency_seconds',
  help: 'Time from producing a probe message to consuming it back, in seconds.',
  type: 'histogram',
  labelNames: ['cluster', 'partition_id'],
  unit: 'seconds',
  component: 'monitor',
  buckets: PROBE_SECONDS_BUCKETS,
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

export const PROBE_COMMIT_LATENCY_SECONDS = metric({
  name: 'kminion_end_to_end_commit_latency_seconds',
  help: "Time the group coordinator took to answer the probe's offset commit, in seconds.",
  type: 'histogram',
  labelNames: ['cluster', 'group_coordinator_broker_id'],
  unit: 'seconds',
  component: 'monitor',
  buckets: PROBE_SECONDS_BUCKETS,
  origin: { kind: 'kminion' },
  compatibilityNote: kminionClusterNote,
});

// ===== monitor: cross-DC probe and self-monitoring ==============================================

export const PROBE_REPLICATION_ROUNDTRIP_SECONDS = metric({
  name: 'kgw_probe_replication_roundtrip_seconds',
  help: 'Time from producing a probe message on the source cluster to consuming its mirrored copy on the target, in seconds.',
  type: 'histogram',
  labelNames: ['source', 'target'],
  unit: 'seconds',
  component: 'monitor',
  buckets: REPLICATION_SECONDS_BUCKETS,
  origin: { kind: 'kgw', note: 'KMinion only probes within one cluster' },
});

export const PROBE_REPLICATION_MESSAGES_PRODUCED_TOTAL = metric({
  name: 'kgw_probe_replication_messages_produced_total',
  help: 'Cross-DC probe messages produced and acknowledged on the source cluster.',
  type: 'counter',
  labelNames: ['source', 'target'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'KMinion only probes within one cluster' },
});

export const PROBE_REPLICATION_MESSAGES_LOST_TOTAL = metric({
  name: 'kgw_probe_replication_messages_lost_total',
  help: 'Cross-DC probe messages acknowledged on the source but not seen on the target within the roundtrip SLA.',
  type: 'counter',
  labelNames: ['source', 'target'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'KMinion only probes within one cluster' },
});

export const MONITOR_SCRAPE_AGE_SECONDS = metric({
  name: 'kgw_monitor_scrape_age_seconds',
  help: 'Seconds since the monitor last completed a successful collection from a cluster (lag data older than this is stale).',
  type: 'gauge',
  labelNames: ['cluster'],
  unit: 'seconds',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'like kafka_lag_exporter_last_update_timestamp_seconds, but as an age' },
});

export const MONITOR_CYCLE_DURATION_SECONDS = metric({
  name: 'kgw_monitor_cycle_duration_seconds',
  help: 'Duration of one monitor collection cycle (offsets, group commits, lag evaluation) for a cluster, in seconds.',
  type: 'histogram',
  labelNames: ['cluster'],
  unit: 'seconds',
  component: 'monitor',
  buckets: CYCLE_SECONDS_BUCKETS,
  origin: { kind: 'kgw', note: 'self-monitoring of the collection loop' },
});

// ---- monitor: cross-DC replication lag and self-monitoring ----

export const MIRROR_PARTITION_LAG_RECORDS = metric({
  name: 'kgw_mirror_partition_lag_records',
  help: 'Records on a source partition not yet on the target (source log end minus the source offset the target has replicated up to).',
  type: 'gauge',
  labelNames: ['source', 'target', 'topic', 'partition'],
  unit: 'records',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'computed by the monitor from offset syncs and log end offsets' },
});

export const MIRROR_PARTITION_LAG_SECONDS = metric({
  name: 'kgw_mirror_partition_lag_seconds',
  help: 'How long ago the source log end was at the offset the target has replicated up to, in seconds (interpolated).',
  type: 'gauge',
  labelNames: ['source', 'target', 'topic', 'partition'],
  unit: 'seconds',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'Kafka Lag Exporter-style interpolation over the source partition' },
});

export const MONITOR_CYCLE_FAILURES_TOTAL = metric({
  name: 'kgw_monitor_cycle_failures_total',
  help: 'Collection cycles that failed or missed their deadline, per cluster and reason (error, deadline, skipped).',
  type: 'counter',
  labelNames: ['cluster', 'reason'],
  unit: 'events',
  component: 'monitor',
  origin: { kind: 'kgw', note: 'self-monitoring of the collection loop' },
});
