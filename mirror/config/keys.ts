/**
 * The configuration keys the mirror understands, with MM2's names, types and defaults (defaults checked
 * against connect-mirror 4.3.1's MirrorSourceConfig, MirrorCheckpointConfig, MirrorHeartbeatConfig,
 * DefaultTopicFilter, DefaultGroupFilter and DefaultConfigPropertyFilter constants).
 */

export type KeyType = 'boolean' | 'long' | 'list' | 'regexlist' | 'string' | 'policy' | 'enum';

export interface KeyDef {
  type: KeyType;
  default: string;
  /** For `enum`: the accepted values. */
  values?: readonly string[];
  /** Lower bound for `long`. */
  min?: number;
}

export const DEFAULT_POLICY = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
export const IDENTITY_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';

/** Keys of a flow (source->target). Each may be set globally or per flow as `A->B.<key>`. */
export const FLOW_KEYS = {
  enabled: { type: 'boolean', default: 'false' },
  topics: { type: 'regexlist', default: '.*' },
  'topics.exclude': { type: 'regexlist', default: 'mm2.*\\.internal, .*\\.replica, __.*' },
  groups: { type: 'regexlist', default: '.*' },
  'groups.exclude': { type: 'regexlist', default: 'console-consumer-.*, connect-.*, __.*' },
  'config.properties.exclude': {
    type: 'regexlist',
    default:
      'follower.replication.throttled.replicas, leader.replication.throttled.replicas, message.timestamp.difference.max.ms, log.message.timestamp.before.max.ms, log.message.timestamp.after.max.ms, message.timestamp.type, unclean.leader.election.enable, min.insync.replicas',
  },
  'replication.policy.class': { type: 'policy', default: DEFAULT_POLICY },
  'replication.policy.separator': { type: 'string', default: '.' },
  'sync.topic.configs.enabled': { type: 'boolean', default: 'true' },
  'sync.topic.configs.interval.seconds': { type: 'long', default: '600', min: -1 },
  'sync.topic.acls.enabled': { type: 'boolean', default: 'true' },
  'sync.topic.acls.interval.seconds': { type: 'long', default: '600', min: -1 },
  'refresh.topics.enabled': { type: 'boolean', default: 'true' },
  'refresh.topics.interval.seconds': { type: 'long', default: '600', min: -1 },
  'refresh.groups.enabled': { type: 'boolean', default: 'true' },
  'refresh.groups.interval.seconds': { type: 'long', default: '600', min: -1 },
  'emit.heartbeats.enabled': { type: 'boolean', default: 'true' },
  'emit.heartbeats.interval.seconds': { type: 'long', default: '1', min: -1 },
  'emit.checkpoints.enabled': { type: 'boolean', default: 'true' },
  'emit.checkpoints.interval.seconds': { type: 'long', default: '60', min: -1 },
  'emit.offset-syncs.enabled': { type: 'boolean', default: 'true' },
  'sync.group.offsets.enabled': { type: 'boolean', default: 'false' },
  'sync.group.offsets.interval.seconds': { type: 'long', default: '60', min: -1 },
  'heartbeats.replication.enabled': { type: 'boolean', default: 'true' },
  'offset.lag.max': { type: 'long', default: '100', min: 0 },
  'replication.factor': { type: 'long', default: '2', min: -1 },
  'heartbeats.topic.replication.factor': { type: 'long', default: '3', min: -1 },
  'checkpoints.topic.replication.factor': { type: 'long', default: '3', min: -1 },
  'offset-syncs.topic.replication.factor': { type: 'long', default: '3', min: -1 },
  'offset-syncs.topic.location': { type: 'enum', default: 'source', values: ['source', 'target'] },
  // kgw's own keys (no MM2 equivalent).
  'kgw.max.in.flight.bytes': { type: 'long', default: String(16 * 1024 * 1024), min: 1024 },
  'kgw.positions.commit.interval.ms': { type: 'long', default: '1000', min: 10 },
  'kgw.fetch.max.bytes': { type: 'long', default: String(8 * 1024 * 1024), min: 1024 },
  'kgw.fetch.max.wait.ms': { type: 'long', default: '500', min: 0 },
  'kgw.checkpoint.max.sync.runs': { type: 'long', default: '1000000', min: 16 },
  // Active-active conflicts (docs/mirror.md "Conflicts"): 0 = detection off.
  'kgw.conflicts.window.ms': { type: 'long', default: '0', min: 0 },
  // Connect's ConnectorConfig key: how many tasks a flow's MirrorSourceConnector splits its
  // topic-partitions into (MirrorSourceConnector.taskConfigs). Used by a mirror cluster
  // (kgw.workers.enabled); a single process runs one task per connector.
  'tasks.max': { type: 'long', default: '1', min: 1 },
  // Kafka Connect's connector-level exactly-once keys (KIP-618). `required` refuses to start a flow
  // whose source is read read_uncommitted (MirrorSourceConnector.exactlyOnceSupport says UNSUPPORTED
  // then); only the default transaction boundary exists: one transaction per fetch (Connect's poll).
  'exactly.once.support': { type: 'enum', default: 'requested', values: ['requested', 'required'] },
  'transaction.boundary': { type: 'enum', default: 'poll', values: ['poll'] },
} as const satisfies Record<string, KeyDef>;

export type FlowKey = keyof typeof FLOW_KEYS;

/**
 * Keys of a cluster, set as `<alias>.<key>`, besides its connection keys (bootstrap.servers,
 * security.protocol, sasl.*, ssl.*, client.id, request.timeout.ms, …): those are Kafka's client
 * properties, read by client/client-properties.ts (CONNECTION_PROPERTY_KEYS).
 */
export const CLUSTER_KEYS = {
  // The consumer setting of the same name, for the mirror reading this cluster as a source. kgw's
  // default is read_committed (aborted transactions are never mirrored); MM2's consumer defaults to
  // read_uncommitted, which copies aborted records as ordinary ones.
  'consumer.isolation.level': {
    type: 'enum',
    default: 'read_committed',
    values: ['read_committed', 'read_uncommitted'],
  },
} as const satisfies Record<string, KeyDef>;

export type ClusterKey = keyof typeof CLUSTER_KEYS;

/** Process-wide keys. */
export const GLOBAL_KEYS = {
  clusters: { type: 'list', default: '' },
  'kgw.rest.host': { type: 'string', default: '127.0.0.1' },
  'kgw.rest.port': { type: 'long', default: '8083', min: -1 },
  // Kafka Connect's worker key (KIP-618), set at the top level of mm2.properties in MM2's dedicated
  // mode: `enabled` writes every flow's records and positions in transactions on the target
  // (docs/mirror.md "Exactly-once"); `preparing` (Connect's rolling-upgrade step) and `disabled`
  // replicate at least once.
  'exactly.once.source.support': {
    type: 'enum',
    default: 'disabled',
    values: ['disabled', 'preparing', 'enabled'],
  },
  // Active-active conflicts, process-wide because detection and last-writer-wins compare what
  // several flows see (mirror/conflicts/config.ts checks them together).
  'kgw.conflicts.max.keys': { type: 'long', default: '100000', min: 16 },
  'kgw.conflicts.log.lines.per.minute': { type: 'long', default: '10', min: 0 },
  'kgw.conflicts.lww.topics': { type: 'regexlist', default: '' },
  'kgw.conflicts.lww.cluster.order': { type: 'list', default: '' },
  'kgw.conflicts.lww.max.keys': { type: 'long', default: '1000000', min: 16 },
  // Mirror cluster (mirror/cluster/, docs/mirror.md "Several workers"): processes with the same
  // configuration share the work through Kafka's group membership protocol. The last four are Kafka
  // Connect's DistributedConfig worker keys, with Connect's defaults.
  'kgw.workers.enabled': { type: 'boolean', default: 'false' },
  'kgw.workers.cluster': { type: 'string', default: '' },
  'group.id': { type: 'string', default: '' },
  'session.timeout.ms': { type: 'long', default: '10000', min: 1 },
  'heartbeat.interval.ms': { type: 'long', default: '3000', min: 1 },
  'rebalance.timeout.ms': { type: 'long', default: '60000', min: 1 },
} as const satisfies Record<string, KeyDef>;

/**
 * MM2 / Kafka Connect keys that are valid in mm2.properties but mean nothing here (Connect's own
 * storage topics, task parallelism): accepted with a warning so an existing file loads unchanged.
 */
export const IGNORED_KEYS: Readonly<Record<string, string>> = {
  'config.storage.replication.factor': 'kgw has no Connect config topic',
  'offset.storage.replication.factor':
    'kgw stores source positions in kgw-mirror-offsets.<source>.internal (uses replication.factor of internal topics: offset-syncs.topic.replication.factor)',
  'status.storage.replication.factor': 'kgw has no Connect status topic',
  'dedicated.mode.enable.internal.rest': 'kgw always serves its REST API on kgw.rest.port',
  'topic.filter.class': 'only the default topic filter exists',
  'group.filter.class': 'only the default group filter exists',
  'config.property.filter.class': 'only the default config property filter exists',
  'metric.names.formats': 'metric names come from observability/metrics/',
};
