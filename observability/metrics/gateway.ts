// The gateway's metrics: Kafka broker MBean names as jmx_exporter renders them, plus kgw_ ones.

import { metric, REQUEST_MS_BUCKETS } from './common.js';

// jmx_exporter rendering descriptions
const JMX_KAFKA_EXAMPLE =
  "jmx_exporter's Kafka example rules (example_configs/kafka-2_0_0.yml, lowercaseOutputName: true)";
const JMX_SOCKET_SERVER =
  'jmx_exporter with the socket-server-metrics rule of confluentinc/jmx-monitoring-stacks (type=socket-server-metrics rendered as socketservermetrics, lowercaseOutputName: true)';

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
