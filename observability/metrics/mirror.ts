// The mirror's metrics: MirrorMaker 2 connector MBean names as jmx_exporter renders them, plus kgw_ ones.

import { metric, REPLICATION_SECONDS_BUCKETS } from './common.js';

// jmx_exporter rendering descriptions
const JMX_MM2_DEFAULT =
  'jmx_exporter default rendering (domain_type_attribute, other keys as labels, lowercaseOutputName: true); Strimzi rules name the same series kafka_connect_mirror_source_connector_*';
const JMX_MM2_CHECKPOINT_DEFAULT =
  'jmx_exporter default rendering (domain_type_attribute, other keys as labels, lowercaseOutputName: true); Strimzi rules name the same series kafka_connect_mirror_checkpoint_connector_*';

const mm2SourceMbean =
  'kafka.connect.mirror:type=MirrorSourceConnector,source=*,target=*,topic=*,partition=*';
const mm2CheckpointMbean =
  'kafka.connect.mirror:type=MirrorCheckpointConnector,source=*,target=*,group=*,topic=*,partition=*';
const MM2_PARTITION_LABELS = ['source', 'target', 'topic', 'partition'] as const;
const MM2_CHECKPOINT_LABELS = ['source', 'target', 'group', 'topic', 'partition'] as const;

export const MIRROR_RECORD_COUNT = metric({
  name: 'kafka_connect_mirror_mirrorsourceconnector_record_count',
  help: 'Number of source records replicated to the target cluster.',
  type: 'counter',
  labelNames: MM2_PARTITION_LABELS,
  unit: 'records',
  component: 'mirror',
  origin: { kind: 'jmx', mbean: mm2SourceMbean, attribute: 'record-count', rendering: JMX_MM2_DEFAULT },
  compatibilityNote:
    'MM2 reports a cumulative Meter count; exported as a counter without `_total`, as jmx_exporter names it.',
});

export const MIRROR_RECORD_RATE = metric({
  name: 'kafka_connect_mirror_mirrorsourceconnector_record_rate',
  help: 'Average number of source records replicated to the target cluster per second.',
  type: 'gauge',
  labelNames: MM2_PARTITION_LABELS,
  unit: 'records',
  component: 'mirror',
  origin: { kind: 'jmx', mbean: mm2SourceMbean, attribute: 'record-rate', rendering: JMX_MM2_DEFAULT },
});

export const MIRROR_BYTE_COUNT = metric({
  name: 'kafka_connect_mirror_mirrorsourceconnector_byte_count',
  help: 'Number of bytes replicated to the target cluster.',
  type: 'counter',
  labelNames: MM2_PARTITION_LABELS,
  unit: 'bytes',
  component: 'mirror',
  origin: { kind: 'jmx', mbean: mm2SourceMbean, attribute: 'byte-count', rendering: JMX_MM2_DEFAULT },
  compatibilityNote:
    'MM2 reports a cumulative Meter count; exported as a counter without `_total`, as jmx_exporter names it.',
});

export const MIRROR_BYTE_RATE = metric({
  name: 'kafka_connect_mirror_mirrorsourceconnector_byte_rate',
  help: 'Average number of bytes replicated per second.',
  type: 'gauge',
  labelNames: MM2_PARTITION_LABELS,
  unit: 'bytes',
  component: 'mirror',
  origin: { kind: 'jmx', mbean: mm2SourceMbean, attribute: 'byte-rate', rendering: JMX_MM2_DEFAULT },
});

function mm2SourceGauge<const N extends string>(name: N, attribute: string, help: string) {
  return metric({
    name,
    help,
    type: 'gauge',
    labelNames: MM2_PARTITION_LABELS,
    unit: 'milliseconds',
    component: 'mirror',
    origin: { kind: 'jmx', mbean: mm2SourceMbean, attribute, rendering: JMX_MM2_DEFAULT },
  });
}

export const MIRROR_RECORD_AGE_MS = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_record_age_ms',
  'record-age-ms',
  'The age of incoming source records when replicated to the target cluster (last record), in milliseconds.',
);
export const MIRROR_RECORD_AGE_MS_MIN = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_min',
  'record-age-ms-min',
  'The min age of incoming source records when replicated to the target cluster, in milliseconds.',
);
export const MIRROR_RECORD_AGE_MS_MAX = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_max',
  'record-age-ms-max',
  'The max age of incoming source records when replicated to the target cluster, in milliseconds.',
);
export const MIRROR_RECORD_AGE_MS_AVG = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_record_age_ms_avg',
  'record-age-ms-avg',
  'The average age of incoming source records when replicated to the target cluster, in milliseconds.',
);
export const MIRROR_REPLICATION_LATENCY_MS = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms',
  'replication-latency-ms',
  'Time it takes records to replicate from source to target cluster (last record), in milliseconds.',
);
export const MIRROR_REPLICATION_LATENCY_MS_MIN = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_min',
  'replication-latency-ms-min',
  'Min time it takes records to replicate from source to target cluster, in milliseconds.',
);
export const MIRROR_REPLICATION_LATENCY_MS_MAX = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_max',
  'replication-latency-ms-max',
  'Max time it takes records to replicate from source to target cluster, in milliseconds.',
);
export const MIRROR_REPLICATION_LATENCY_MS_AVG = mm2SourceGauge(
  'kafka_connect_mirror_mirrorsourceconnector_replication_latency_ms_avg',
  'replication-latency-ms-avg',
  'Average time it takes records to replicate from source to target cluster, in milliseconds.',
);

function mm2CheckpointGauge<const N extends string>(name: N, attribute: string, help: string) {
  return metric({
    name,
    help,
    type: 'gauge',
    labelNames: MM2_CHECKPOINT_LABELS,
    unit: 'milliseconds',
    component: 'mirror',
    origin: { kind: 'jmx', mbean: mm2CheckpointMbean, attribute, rendering: JMX_MM2_CHECKPOINT_DEFAULT },
  });
}

export const MIRROR_CHECKPOINT_LATENCY_MS = mm2CheckpointGauge(
  'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms',
  'checkpoint-latency-ms',
  'Time it takes consumer group offsets to replicate from source to target cluster (last checkpoint), in milliseconds.',
);
export const MIRROR_CHECKPOINT_LATENCY_MS_MIN = mm2CheckpointGauge(
  'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms_min',
  'checkpoint-latency-ms-min',
  'Min time it takes consumer group offsets to replicate from source to target cluster, in milliseconds.',
);
export const MIRROR_CHECKPOINT_LATENCY_MS_MAX = mm2CheckpointGauge(
  'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms_max',
  'checkpoint-latency-ms-max',
  'Max time it takes consumer group offsets to replicate from source to target cluster, in milliseconds.',
);
export const MIRROR_CHECKPOINT_LATENCY_MS_AVG = mm2CheckpointGauge(
  'kafka_connect_mirror_mirrorcheckpointconnector_checkpoint_latency_ms_avg',
  'checkpoint-latency-ms-avg',
  'Average time it takes consumer group offsets to replicate from source to target cluster, in milliseconds.',
);

export const MIRROR_REPLICATION_LATENCY_SECONDS = metric({
  name: 'kgw_mirror_replication_latency_seconds',
  help: 'Time from a record being read from the source cluster to the target acknowledging it, in seconds.',
  type: 'histogram',
  labelNames: ['source', 'target', 'topic'],
  unit: 'seconds',
  component: 'mirror',
  buckets: REPLICATION_SECONDS_BUCKETS,
  origin: {
    kind: 'kgw',
    note: "histogram of MM2's replication-latency-ms (MM2 only exposes last/min/max/avg gauges, which cannot give a p99)",
  },
});

export const MIRROR_RECORD_AGE_SECONDS = metric({
  name: 'kgw_mirror_record_age_seconds',
  help: 'Age of a record (now minus its source timestamp) when the mirror replicates it, in seconds.',
  type: 'histogram',
  labelNames: ['source', 'target', 'topic'],
  unit: 'seconds',
  component: 'mirror',
  buckets: REPLICATION_SECONDS_BUCKETS,
  origin: { kind: 'kgw', note: "histogram of MM2's record-age-ms" },
});

export const MIRROR_SOURCE_RECORDS_LOST_TOTAL = metric({
  name: 'kgw_mirror_source_records_lost_total',
  help: 'Source records removed (retention, DeleteRecords) before the mirror copied them: they never reach the target.',
  type: 'counter',
  labelNames: MM2_PARTITION_LABELS,
  unit: 'records',
  component: 'mirror',
  origin: {
    kind: 'kgw',
    note: "no MM2 equivalent: MM2's consumer resets to the earliest offset (auto.offset.reset) and only logs it",
  },
});

export const MIRROR_SOURCE_OFFSET_RESETS_TOTAL = metric({
  name: 'kgw_mirror_source_offset_resets_total',
  help: 'Times the mirror had to move its source position because the data there was gone, per reason (records_removed, offsets_went_backwards, topic_recreated).',
  type: 'counter',
  labelNames: [...MM2_PARTITION_LABELS, 'reason'],
  unit: 'events',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent (see kgw_mirror_source_records_lost_total)' },
});

export const MIRROR_CHECKPOINT_UNTRANSLATED = metric({
  name: 'kgw_mirror_checkpoint_untranslated_partitions',
  help: 'Group partitions that got no checkpoint in the last round, per reason (ahead: the group has read past what the mirror copied; behind: its offset is older than the kept offset-sync history; no_syncs: nothing mirrored from the partition yet).',
  type: 'gauge',
  labelNames: ['source', 'target', 'reason'],
  unit: 'events',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent: MM2 skips such partitions silently' },
});

export const MIRROR_CONFLICTS_TOTAL = metric({
  name: 'kgw_mirror_conflicts_total',
  help: 'Writes of a key in one cluster within kgw.conflicts.window.ms of a write of the same key in another cluster (active-active), per topic (capped: __other__ beyond 100 topics).',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'events',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent: MM2 has no notion of where a record was first written' },
});

export const MIRROR_CONFLICT_KEYS_EVICTED_TOTAL = metric({
  name: 'kgw_mirror_conflict_keys_evicted_total',
  help: 'Keys the conflict detector forgot because a topic reached kgw.conflicts.max.keys: a conflict whose first write was forgotten is not counted.',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'events',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent' },
});

export const MIRROR_LWW_DISCARDED_TOTAL = metric({
  name: 'kgw_mirror_lww_discarded_total',
  help: 'Versions of a key that lost under last-writer-wins and were not copied to the other cluster, per topic.',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'records',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent' },
});

export const MIRROR_LWW_REPAIRS_TOTAL = metric({
  name: 'kgw_mirror_lww_repairs_total',
  help: 'Winning versions written again into a cluster whose last record for the key had lost under last-writer-wins, per topic and cluster written to.',
  type: 'counter',
  labelNames: ['topic', 'cluster'],
  unit: 'records',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent' },
});

export const MIRROR_LWW_KEYS_EVICTED_TOTAL = metric({
  name: 'kgw_mirror_lww_keys_evicted_total',
  help: 'Keys whose last-writer-wins state was forgotten because kgw.conflicts.lww.max.keys was reached: a later version of such a key wins by arrival, not by timestamp.',
  type: 'counter',
  labelNames: [],
  unit: 'events',
  component: 'mirror',
  origin: { kind: 'kgw', note: 'no MM2 equivalent' },
});

export const MIRROR_HEARTBEAT_AGE_SECONDS = metric({
  name: 'kgw_mirror_heartbeat_age_seconds',
  help: "Seconds since the newest MM2 heartbeat for source->target was written to the target's `heartbeats` topic.",
  type: 'gauge',
  labelNames: ['source', 'target'],
  unit: 'seconds',
  component: 'monitor',
  origin: {
    kind: 'kgw',
    note: 'read by the monitor from the heartbeats topic on the target cluster, so it keeps growing when the mirror is down',
  },
});
