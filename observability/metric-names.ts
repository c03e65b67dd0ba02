// The single catalogue of every Prometheus metric the product exports.
//
// Gateway, mirror and monitor register their prom-client metrics from these constants, and the
// dashboards and alert rules build their PromQL from the same constants, so a name or label can
// only change in one place. Names follow what existing Kafka tooling exposes (jmx_exporter rendering
// of the broker / MirrorMaker 2 MBeans, kafka_exporter, Kafka Lag Exporter, KMinion) so dashboards and
// alerts written for those tools keep working; metrics with no existing equivalent carry our own
// `kgw_` prefix. docs/metrics.md is generated from this file (`node dist/dashboards/generate.js`).
//
// This module has no runtime dependencies on purpose: the dashboard generator imports it too.

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
function metric<const N extends string, const L extends string>(def: MetricDef<N, L>): MetricDef<N, L> {
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

// ----- jmx_exporter rendering descriptions ------------------------------------------------------

const JMX_KAFKA_EXAMPLE =
  "jmx_exporter's Kafka example rules (example_configs/kafka-2_0_0.yml, lowercaseOutputName: true)";
const JMX_SOCKET_SERVER =
  'jmx_exporter with the socket-server-metrics rule of confluentinc/jmx-monitoring-stacks (type=socket-server-metrics rendered as socketservermetrics, lowercaseOutputName: true)';
const JMX_MM2_DEFAULT =
  'jmx_exporter default rendering (domain_type_attribute, other keys as labels, lowercaseOutputName: true); Strimzi rules name the same series kafka_connect_mirror_source_connector_*';
const JMX_MM2_CHECKPOINT_DEFAULT =
  'jmx_exporter default rendering (domain_type_attribute, other keys as labels, lowercaseOutputName: true); Strimzi rules name the same series kafka_connect_mirror_checkpoint_connector_*';

// ===== gateway ===================================================================================

export const GATEWAY_REQUESTS_TOTAL = metric({
  name: 'kafka_network_requestmetrics_requests_total',
  help: 'Requests received by the gateway, per Kafka API, API version and listener.',
  type: 'counter',
  labelNames: ['request', 'version', 'listener'],
  unit: 'requests',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*,version=*',
    attribute: 'Count',
    rendering: JMX_KAFKA_EXAMPLE,
  },
  compatibilityNote: 'adds `listener` (the broker MBean has none); queries without it still match.',
});

export const GATEWAY_REQUEST_ERRORS_TOTAL = metric({
  name: 'kafka_network_requestmetrics_errors_total',
  help: 'Responses the gateway sent with an error code, per Kafka API and error name (NONE excluded).',
  type: 'counter',
  labelNames: ['request', 'error'],
  unit: 'requests',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=*,error=*',
    attribute: 'Count',
    rendering: JMX_KAFKA_EXAMPLE,
  },
});

const timeMsNote =
  'a Prometheus histogram in milliseconds (the MBean unit) instead of the quantile gauges jmx_exporter emits; ' +
  '`_count` matches the example rules, quantiles come from histogram_quantile over `_bucket`.';

export const GATEWAY_REQUEST_TOTAL_TIME_MS = metric({
  name: 'kafka_network_requestmetrics_totaltimems',
  help: 'Total time from receiving a request from the client to sending the response, in milliseconds.',
  type: 'histogram',
  labelNames: ['request'],
  unit: 'milliseconds',
  component: 'gateway',
  buckets: REQUEST_MS_BUCKETS,
  origin: {
    kind: 'jmx',
    mbean: 'kafka.network:type=RequestMetrics,name=TotalTimeMs,request=*',
    attribute: 'Count / NNthPercentile',
    rendering: JMX_KAFKA_EXAMPLE,
  },
  compatibilityNote: timeMsNote,
});

export const GATEWAY_REQUEST_REMOTE_TIME_MS = metric({
  name: 'kafka_network_requestmetrics_remotetimems',
  help: 'Time a request spent waiting for the upstream Kafka broker, in milliseconds.',
  type: 'histogram',
  labelNames: ['request'],
  unit: 'milliseconds',
  component: 'gateway',
  buckets: REQUEST_MS_BUCKETS,
  origin: {
    kind: 'jmx',
    mbean: 'kafka.network:type=RequestMetrics,name=RemoteTimeMs,request=*',
    attribute: 'Count / NNthPercentile',
    rendering: JMX_KAFKA_EXAMPLE,
  },
  compatibilityNote: `${timeMsNote} For the gateway, "remote" is the upstream broker round trip.`,
});

export const GATEWAY_REQUEST_LOCAL_TIME_MS = metric({
  name: 'kafka_network_requestmetrics_localtimems',
  help: 'Time the gateway itself spent on a request (decode, authenticate, authorize, rewrite), in milliseconds.',
  type: 'histogram',
  labelNames: ['request'],
  unit: 'milliseconds',
  component: 'gateway',
  buckets: REQUEST_MS_BUCKETS,
  origin: {
    kind: 'jmx',
    mbean: 'kafka.network:type=RequestMetrics,name=LocalTimeMs,request=*',
    attribute: 'Count / NNthPercentile',
    rendering: JMX_KAFKA_EXAMPLE,
  },
  compatibilityNote: timeMsNote,
});

export const GATEWAY_BYTES_IN_TOTAL = metric({
  name: 'kafka_server_brokertopicmetrics_bytesin_total',
  help: 'Record bytes produced through the gateway, per topic.',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'bytes',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*',
    attribute: 'Count',
    rendering: JMX_KAFKA_EXAMPLE,
  },
});

export const GATEWAY_BYTES_OUT_TOTAL = metric({
  name: 'kafka_server_brokertopicmetrics_bytesout_total',
  help: 'Record bytes fetched through the gateway, per topic.',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'bytes',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=*',
    attribute: 'Count',
    rendering: JMX_KAFKA_EXAMPLE,
  },
});

export const GATEWAY_MESSAGES_IN_TOTAL = metric({
  name: 'kafka_server_brokertopicmetrics_messagesin_total',
  help: 'Records produced through the gateway, per topic.',
  type: 'counter',
  labelNames: ['topic'],
  unit: 'records',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*',
    attribute: 'Count',
    rendering: JMX_KAFKA_EXAMPLE,
  },
});

export const GATEWAY_CONNECTION_COUNT = metric({
  name: 'kafka_server_socketservermetrics_connection_count',
  help: 'Client connections currently open on the gateway, per listener.',
  type: 'gauge',
  labelNames: ['listener'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: 'kafka.server:type=socket-server-metrics,listener=*,networkProcessor=*',
    attribute: 'connection-count',
    rendering: JMX_SOCKET_SERVER,
  },
  compatibilityNote: 'no `networkProcessor` label: the gateway has no network processor threads.',
});

const authMbean = 'kafka.server:type=socket-server-metrics,listener=*,networkProcessor=*';
const authNote =
  'adds `mechanism` (SASL mechanism, or SSL for mTLS); no `networkProcessor` label (the gateway has none).';

export const GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL = metric({
  name: 'kafka_server_socketservermetrics_successful_authentication_total',
  help: 'Successful client authentications, per listener and mechanism.',
  type: 'counter',
  labelNames: ['listener', 'mechanism'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: authMbean,
    attribute: 'successful-authentication-total',
    rendering: JMX_SOCKET_SERVER,
  },
  compatibilityNote: authNote,
});

export const GATEWAY_FAILED_AUTHENTICATION_TOTAL = metric({
  name: 'kafka_server_socketservermetrics_failed_authentication_total',
  help: 'Failed client authentications, per listener and mechanism.',
  type: 'counter',
  labelNames: ['listener', 'mechanism'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: authMbean,
    attribute: 'failed-authentication-total',
    rendering: JMX_SOCKET_SERVER,
  },
  compatibilityNote: authNote,
});

export const GATEWAY_SUCCESSFUL_REAUTHENTICATION_TOTAL = metric({
  name: 'kafka_server_socketservermetrics_successful_reauthentication_total',
  help: 'Successful re-authentications (KIP-368) on open connections, per listener and mechanism.',
  type: 'counter',
  labelNames: ['listener', 'mechanism'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: authMbean,
    attribute: 'successful-reauthentication-total',
    rendering: JMX_SOCKET_SERVER,
  },
  compatibilityNote: authNote,
});

export const GATEWAY_FAILED_REAUTHENTICATION_TOTAL = metric({
  name: 'kafka_server_socketservermetrics_failed_reauthentication_total',
  help: 'Failed re-authentications (KIP-368) on open connections, per listener and mechanism.',
  type: 'counter',
  labelNames: ['listener', 'mechanism'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'jmx',
    mbean: authMbean,
    attribute: 'failed-reauthentication-total',
    rendering: JMX_SOCKET_SERVER,
  },
  compatibilityNote: authNote,
});

export const GATEWAY_ACL_DENIALS_TOTAL = metric({
  name: 'kgw_gateway_acl_denials_total',
  help: 'Authorization decisions that denied an operation, per Kafka API, resource type and ACL operation.',
  type: 'counter',
  labelNames: ['api', 'resource_type', 'operation'],
  unit: 'events',
  component: 'gateway',
  origin: {
    kind: 'kgw',
    note: 'no Kafka equivalent: brokers only log denials (kafka.authorizer.logger); principals are in the audit log, not in labels',
  },
});

export const GATEWAY_CONNECTIONS_REJECTED_TOTAL = metric({
  name: 'kgw_gateway_connections_rejected_total',
  help: 'Connections the gateway closed before serving them, per reason (tls_handshake, authentication, quota, max_connections, protocol).',
  type: 'counter',
  labelNames: ['reason'],
  unit: 'events',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'no single Kafka equivalent (brokers spread this over several MBeans)' },
});

// ----- gateway: record encryption (docs/encryption.md) -------------------------------------------

/** KMS round trips in seconds: a keyring file answers in microseconds, an HSM in milliseconds. */
export const KMS_SECONDS_BUCKETS = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
]);

const encryptionTopicNote =
  'topic values are capped like the other client-supplied topic labels: past the cap, and for names that cannot be Kafka topics, they are counted under __other__';

export const GATEWAY_ENCRYPTION_RECORDS_TOTAL = metric({
  name: 'kgw_gateway_encryption_records_total',
  help: 'Records the gateway encrypted (Produce) or decrypted (Fetch, ShareFetch), per topic and operation (encrypt, decrypt).',
  type: 'counter',
  labelNames: ['topic', 'operation'],
  unit: 'records',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'record encryption at rest is a gateway feature; Kafka has none' },
  compatibilityNote: encryptionTopicNote,
});

export const GATEWAY_ENCRYPTION_FAILURES_TOTAL = metric({
  name: 'kgw_gateway_encryption_failures_total',
  help: 'Partitions the gateway could not encrypt (answered with an error, never forwarded in plaintext) or decrypt (answered CORRUPT_MESSAGE from the failing batch), per topic, operation and reason (kms, authentication, malformed, corrupt_batch, unsupported_format, unknown_topic, internal).',
  type: 'counter',
  labelNames: ['topic', 'operation', 'reason'],
  unit: 'events',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'the gateway log names the partition, offset and cause of each' },
  compatibilityNote: encryptionTopicNote,
});

export const GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL = metric({
  name: 'kgw_gateway_encryption_data_keys_total',
  help: 'Data-encryption keys made for encryption, per KEK and reason (first: none yet in this process, max_records or max_age: the previous one was rotated out).',
  type: 'counter',
  labelNames: ['kek', 'reason'],
  unit: 'events',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'KEK ids come from the configuration, so the label is bounded' },
});

export const GATEWAY_ENCRYPTION_KMS_SECONDS = metric({
  name: 'kgw_gateway_encryption_kms_seconds',
  help: 'Time the KMS took to wrap a new data key or unwrap one found in a record, per operation (wrap, unwrap) and outcome (ok, error).',
  type: 'histogram',
  labelNames: ['kms_operation', 'outcome'],
  unit: 'seconds',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'keyring file or PKCS#11 token (security/kms)' },
  buckets: KMS_SECONDS_BUCKETS,
});

export const GATEWAY_ENCRYPTION_ENGINE = metric({
  name: 'kgw_gateway_encryption_engine',
  help: 'The AES-GCM implementation in use, as a label set to 1: native (the batch binding) or js (Node crypto, the fallback when the binding is not built).',
  type: 'gauge',
  labelNames: ['engine'],
  unit: 'code',
  component: 'gateway',
  origin: { kind: 'kgw', note: 'an info-style gauge' },
});

// ===== mirror ====================================================================================

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

// ===== the catalogue ============================================================================

/** Every metric, by component; other modules import the named constants above directly. */
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

export const METRICS = Object.freeze({
  gateway: [
    GATEWAY_REQUESTS_TOTAL,
    GATEWAY_REQUEST_ERRORS_TOTAL,
    GATEWAY_REQUEST_TOTAL_TIME_MS,
    GATEWAY_REQUEST_REMOTE_TIME_MS,
    GATEWAY_REQUEST_LOCAL_TIME_MS,
    GATEWAY_BYTES_IN_TOTAL,
    GATEWAY_BYTES_OUT_TOTAL,
    GATEWAY_MESSAGES_IN_TOTAL,
    GATEWAY_CONNECTION_COUNT,
    GATEWAY_SUCCESSFUL_AUTHENTICATION_TOTAL,
    GATEWAY_FAILED_AUTHENTICATION_TOTAL,
    GATEWAY_SUCCESSFUL_REAUTHENTICATION_TOTAL,
    GATEWAY_FAILED_REAUTHENTICATION_TOTAL,
    GATEWAY_ACL_DENIALS_TOTAL,
    GATEWAY_CONNECTIONS_REJECTED_TOTAL,
    GATEWAY_ENCRYPTION_RECORDS_TOTAL,
    GATEWAY_ENCRYPTION_FAILURES_TOTAL,
    GATEWAY_ENCRYPTION_DATA_KEYS_TOTAL,
    GATEWAY_ENCRYPTION_KMS_SECONDS,
    GATEWAY_ENCRYPTION_ENGINE,
  ],
  mirror: [
    MIRROR_RECORD_COUNT,
    MIRROR_RECORD_RATE,
    MIRROR_BYTE_COUNT,
    MIRROR_BYTE_RATE,
    MIRROR_RECORD_AGE_MS,
    MIRROR_RECORD_AGE_MS_MIN,
    MIRROR_RECORD_AGE_MS_MAX,
    MIRROR_RECORD_AGE_MS_AVG,
    MIRROR_REPLICATION_LATENCY_MS,
    MIRROR_REPLICATION_LATENCY_MS_MIN,
    MIRROR_REPLICATION_LATENCY_MS_MAX,
    MIRROR_REPLICATION_LATENCY_MS_AVG,
    MIRROR_CHECKPOINT_LATENCY_MS,
    MIRROR_CHECKPOINT_LATENCY_MS_MIN,
    MIRROR_CHECKPOINT_LATENCY_MS_MAX,
    MIRROR_CHECKPOINT_LATENCY_MS_AVG,
    MIRROR_REPLICATION_LATENCY_SECONDS,
    MIRROR_RECORD_AGE_SECONDS,
    MIRROR_SOURCE_RECORDS_LOST_TOTAL,
    MIRROR_SOURCE_OFFSET_RESETS_TOTAL,
    MIRROR_CHECKPOINT_UNTRANSLATED,
    MIRROR_CONFLICTS_TOTAL,
    MIRROR_CONFLICT_KEYS_EVICTED_TOTAL,
    MIRROR_LWW_DISCARDED_TOTAL,
    MIRROR_LWW_REPAIRS_TOTAL,
    MIRROR_LWW_KEYS_EVICTED_TOTAL,
  ],
  monitor: [
    MIRROR_PARTITION_LAG_RECORDS,
    MIRROR_PARTITION_LAG_SECONDS,
    MONITOR_CYCLE_FAILURES_TOTAL,
    MIRROR_HEARTBEAT_AGE_SECONDS,
    CONSUMERGROUP_LAG,
    CONSUMERGROUP_LAG_SUM,
    CONSUMERGROUP_CURRENT_OFFSET,
    CONSUMERGROUP_CURRENT_OFFSET_SUM,
    CONSUMERGROUP_MEMBERS,
    TOPIC_PARTITION_CURRENT_OFFSET,
    TOPIC_PARTITION_OLDEST_OFFSET,
    GROUP_OFFSET,
    GROUP_LAG,
    GROUP_LAG_SECONDS,
    GROUP_MAX_LAG,
    GROUP_MAX_LAG_SECONDS,
    GROUP_SUM_LAG,
    GROUP_TOPIC_SUM_LAG,
    PARTITION_LATEST_OFFSET,
    PARTITION_EARLIEST_OFFSET,
    BURROW_GROUP_STATUS,
    BURROW_PARTITION_STATUS,
    PROBE_MESSAGES_PRODUCED_IN_FLIGHT,
    PROBE_MESSAGES_PRODUCED_TOTAL,
    PROBE_MESSAGES_PRODUCED_FAILED_TOTAL,
    PROBE_MESSAGES_RECEIVED_TOTAL,
    PROBE_MESSAGES_LOST_TOTAL,
    PROBE_OFFSET_COMMITS_TOTAL,
    PROBE_PRODUCE_LATENCY_SECONDS,
    PROBE_ROUNDTRIP_LATENCY_SECONDS,
    PROBE_COMMIT_LATENCY_SECONDS,
    PROBE_REPLICATION_ROUNDTRIP_SECONDS,
    PROBE_REPLICATION_MESSAGES_PRODUCED_TOTAL,
    PROBE_REPLICATION_MESSAGES_LOST_TOTAL,
    MONITOR_SCRAPE_AGE_SECONDS,
    MONITOR_CYCLE_DURATION_SECONDS,
  ],
} satisfies Record<Component, readonly MetricDef[]>);

export const ALL_METRICS: readonly MetricDef[] = Object.freeze([
  ...METRICS.gateway,
  ...METRICS.mirror,
  ...METRICS.monitor,
]);

/** The series names Prometheus stores for a metric (a histogram is three series families). */
export function seriesNames(def: MetricDef): string[] {
  return def.type === 'histogram'
    ? [`${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`]
    : [def.name];
}

/** Look a metric up by any of its series names (`x`, `x_bucket`, `x_sum`, `x_count`). */
export function findMetric(seriesName: string): MetricDef | undefined {
  return SERIES_INDEX.get(seriesName);
}

const SERIES_INDEX: ReadonlyMap<string, MetricDef> = new Map(
  ALL_METRICS.flatMap((def) => seriesNames(def).map((series) => [series, def] as const)),
);

/**
 * The options prom-client's Counter/Gauge/Histogram constructors take, e.g.
 * `new Counter({ ...promClientOptions(GATEWAY_ACL_DENIALS_TOTAL), registers: [registry] })`.
 * Buckets are copied because prom-client's type wants a mutable array.
 */
export function promClientOptions<N extends string, L extends string>(
  def: MetricDef<N, L>,
): { name: N; help: string; labelNames: readonly L[]; buckets?: number[] } {
  const options: { name: N; help: string; labelNames: readonly L[]; buckets?: number[] } = {
    name: def.name,
    help: def.help,
    labelNames: def.labelNames,
  };
  if (def.buckets !== undefined) options.buckets = [...def.buckets];
  return options;
}
