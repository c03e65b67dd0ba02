/**
 * Turns configuration entries (from mm2.properties or the YAML form) into a checked MirrorConfig.
 * Every error is the one ConfigError (config/errors.ts): `file:line: key: message`. A cluster's
 * connection keys (`<alias>.bootstrap.servers`, `.security.protocol`, `.sasl.*`, `.ssl.*`,
 * `.client.id`, …) are Kafka's client properties, read by client/client-properties.ts into the one
 * cluster-connection shape every product uses; the YAML form may instead write that shape itself
 * under `clusters.<alias>` (connection-forms.ts), and hands those connections over already read.
 */
import {
  CLUSTER_KEYS,
  FLOW_KEYS,
  GLOBAL_KEYS,
  IDENTITY_POLICY,
  DEFAULT_POLICY,
  IGNORED_KEYS,
  type ClusterKey,
  type FlowKey,
  type KeyDef,
} from './keys.js';
import { parseProperties, type PropertyEntry } from '../../config/properties.js';
import { readMirrorYaml } from './yaml.js';
import { mixedFormsProblem, SHAPE_KEYS } from './connection-forms.js';
import { PatternList } from '../../mm2/filters.js';
import { ConfigError } from '../../config/errors.js';
import { readConfigFile } from '../../config/yaml.js';
import { resolveEntryReferences } from '../../config/references.js';
import { checkedConnectionFromProperties, CONNECTION_PROPERTY_KEYS } from '../../client/client-properties.js';
import type { ClusterConnection } from '../../client/cluster-connection.js';
import { conflictsConfig, type ConflictsConfig } from '../conflicts/config.js';
import { workersConfig, type WorkersConfig } from '../cluster/config.js';

export interface ClusterConfig {
  alias: string;
  /** TLS, SASL, bootstrap, client id: the one cluster-connection shape (client/cluster-connection.ts). */
  connection: ClusterConnection;
  /** connection.bootstrap, for the data path. */
  bootstrapServers: string[];
  clientId: string;
  requestTimeoutMs: number;
  /** How the mirror reads this cluster as a source (`<alias>.consumer.isolation.level`; default read_committed). */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
}

export type PolicyName = 'default' | 'identity';

export interface FlowConfig {
  source: string;
  target: string;
  name: string;
  enabled: boolean;
  topics: PatternList;
  topicsExclude: PatternList;
  groups: PatternList;
  groupsExclude: PatternList;
  configPropertiesExclude: PatternList;
  policy: PolicyName;
  separator: string;
  syncTopicConfigs: boolean;
  syncTopicConfigsIntervalMs: number;
  syncTopicAcls: boolean;
  syncTopicAclsIntervalMs: number;
  refreshTopicsIntervalMs: number;
  refreshGroupsIntervalMs: number;
  emitHeartbeatsIntervalMs: number;
  emitCheckpointsIntervalMs: number;
  emitOffsetSyncs: boolean;
  syncGroupOffsets: boolean;
  syncGroupOffsetsIntervalMs: number;
  heartbeatsReplication: boolean;
  offsetLagMax: number;
  replicationFactor: number;
  heartbeatsTopicReplicationFactor: number;
  checkpointsTopicReplicationFactor: number;
  offsetSyncsTopicReplicationFactor: number;
  offsetSyncsTopicLocation: 'source' | 'target';
  maxInFlightBytes: number;
  positionsCommitIntervalMs: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  /** Bound on the offset-sync runs the checkpoint connector keeps (32 bytes each). */
  checkpointMaxSyncRuns: number;
  /** Same key written in two clusters within this many ms is a conflict; 0 = not detected. */
  conflictWindowMs: number;
  /** MM2's tasks.max: source tasks of this flow in a mirror cluster (one task in a single process). */
  tasksMax: number;
  /** `exactly.once.source.support = enabled`: records and positions in one transaction on the target. */
  exactlyOnce: boolean;
}

export interface MirrorConfig {
  file: string;
  clusters: Map<string, ClusterConfig>;
  /** Every source->target pair of distinct clusters; `enabled` says which replicate. */
  flows: FlowConfig[];
  rest: { host: string; port: number };
  /** Active-active conflict detection and last-writer-wins (mirror/conflicts/). */
  conflicts: ConflictsConfig;
  /** Set when several processes share the flows (kgw.workers.enabled = true); see mirror/cluster/. */
  workers?: WorkersConfig;
  warnings: string[];
}

interface Located {
  value: string;
  line: number | undefined;
}

const ALIAS = /^[A-Za-z0-9_-]+$/;
/** MM2's (Kafka's) request.timeout.ms default. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function loadMirrorConfig(file: string): MirrorConfig {
  const text = readConfigFile(file);
  if (isYamlFile(file)) {
    const yaml = readMirrorYaml(file, text); // references resolved in the document
    return resolveConfig(file, yaml.entries, yaml.connections);
  }
  return resolveConfig(file, resolveEntryReferences(parseProperties(text), file)); // ${env:VAR}, ${dir:/path:file}
}

/**
 * `shaped`: the connections of clusters the YAML form wrote in the shared connection shape (already
 * checked); every other cluster's connection comes from its `<alias>.` client properties.
 */
export function resolveConfig(
  file: string,
  entries: PropertyEntry[],
  shaped: ReadonlyMap<string, ClusterConnection> = new Map(),
): MirrorConfig {
  // Values stay out of messages: some keys hold secrets (sasl.jaas.config); check() quotes the
  // value where the key's type makes it safe.
  const fail = (e: { key?: string; line?: number }, reason: string): never => {
    throw new ConfigError(file, [{ file, line: e.line, path: e.key, message: reason }]);
  };
  const raw = new Map<string, PropertyEntry>();
  for (const e of entries) raw.set(e.key, e); // java.util.Properties: the last occurrence wins

  const clustersEntry = raw.get('clusters');
  if (!clustersEntry) fail({}, 'missing required key "clusters" (comma-separated cluster aliases)');
  const aliases = splitList(clustersEntry!.value);
  if (aliases.length === 0) fail(clustersEntry!, 'needs at least one cluster alias');
  for (const a of aliases) {
    if (!ALIAS.test(a))
      fail(clustersEntry!, `cluster alias "${a}" may only use letters, digits, "_" and "-"`);
  }
  if (new Set(aliases).size !== aliases.length) fail(clustersEntry!, 'lists a cluster alias twice');

  const global = new Map<string, Located>();
  const perCluster = new Map<string, Map<ClusterKey, Located>>(aliases.map((a) => [a, new Map()]));
  const connectionEntries = new Map<string, PropertyEntry[]>(aliases.map((a) => [a, []]));
  const perFlow = new Map<string, Map<FlowKey, Located>>();
  const warnings: string[] = [];

  for (const e of raw.values()) {
    const loc: Located = { value: e.value, line: e.line };
    if (e.key === 'clusters') continue;
    if (e.key in GLOBAL_KEYS || e.key in FLOW_KEYS) {
      check(e, (GLOBAL_KEYS as Record<string, KeyDef>)[e.key] ?? FLOW_KEYS[e.key as FlowKey], fail);
      global.set(e.key, loc);
      continue;
    }
    if (e.key in IGNORED_KEYS) {
      warnings.push(`${file}:${e.line}: ${e.key} ignored: ${IGNORED_KEYS[e.key]}`);
      continue;
    }
    const flow = /^([^.]+)->([^.]+)\.(.+)$/.exec(e.key);
    if (flow) {
      const [, src, dst, rest] = flow as unknown as [string, string, string, string];
      for (const a of [src, dst])
        if (!aliases.includes(a)) fail(e, `cluster "${a}" is not listed in clusters`);
      if (src === dst) fail(e, 'a flow needs two different clusters');
      if (rest in IGNORED_KEYS) {
        warnings.push(`${file}:${e.line}: ${e.key} ignored: ${IGNORED_KEYS[rest]}`);
        continue;
      }
      if (!(rest in FLOW_KEYS)) fail(e, `unknown flow setting "${rest}"`);
      check(e, FLOW_KEYS[rest as FlowKey], fail);
      const key = `${src}->${dst}`;
      if (!perFlow.has(key)) perFlow.set(key, new Map());
      perFlow.get(key)!.set(rest as FlowKey, loc);
      continue;
    }
    const dot = e.key.indexOf('.');
    const alias = dot > 0 ? e.key.slice(0, dot) : '';
    if (perCluster.has(alias)) {
      const rest = e.key.slice(dot + 1);
      if (CONNECTION_PROPERTY_KEYS.has(rest)) {
        connectionEntries.get(alias)!.push(e);
        continue;
      }
      if (!(rest in CLUSTER_KEYS)) {
        fail(
          e,
          `unknown or unsupported cluster setting "${rest}" (supported: ${[...CONNECTION_PROPERTY_KEYS, ...Object.keys(CLUSTER_KEYS)].join(', ')}${isYamlFile(file) ? `; or, under clusters.${alias}, the YAML connection shape: ${SHAPE_KEYS.join(', ')}` : ''})`,
        );
      }
      check(e, CLUSTER_KEYS[rest as ClusterKey], fail);
      perCluster.get(alias)!.set(rest as ClusterKey, loc);
      continue;
    }
    fail(e, 'unknown key');
  }

  const clusters = new Map<string, ClusterConfig>();
  for (const alias of aliases) {
    const properties = connectionEntries.get(alias)!;
    const given = shaped.get(alias);
    // A top-level `east.security.protocol` beside a shaped `clusters.east` (the YAML reader refuses
    // both forms inside one `clusters.<alias>` mapping itself, naming the keys).
    const mixed =
      given &&
      mixedFormsProblem(
        alias,
        [`clusters.${alias}`],
        properties.map((e) => e.key),
      );
    if (mixed) fail(properties[0]!, mixed);
    const connection = given ?? clusterConnection(file, alias, properties, warnings);
    clusters.set(alias, clusterConfig(alias, connection, perCluster.get(alias)!));
  }

  const flows: FlowConfig[] = [];
  const exactlyOnce = global.get('exactly.once.source.support')?.value.trim() === 'enabled';
  for (const source of aliases) {
    for (const target of aliases) {
      if (source === target) continue;
      const own = perFlow.get(`${source}->${target}`) ?? new Map<FlowKey, Located>();
      const flow = flowConfig(source, target, own, global, fail);
      flow.exactlyOnce = exactlyOnce;
      const support = own.get('exactly.once.support') ?? global.get('exactly.once.support');
      if (flow.enabled && support?.value.trim() === 'required') {
        const where = { key: `${flow.name}.exactly.once.support`, value: 'required', line: support.line };
        if (!exactlyOnce) fail(where, 'needs exactly.once.source.support = enabled (a top-level key)');
        if (clusters.get(source)!.isolationLevel === 'read_uncommitted')
          fail(
            where,
            `needs ${source}.consumer.isolation.level = read_committed (as MM2's MirrorSourceConnector)`,
          );
      }
      flows.push(flow);
    }
  }
  for (const key of perFlow.keys()) {
    if (!flows.some((f) => f.name === key)) fail({ key }, 'flow between unknown clusters');
  }

  const restPort = global.get('kgw.rest.port');
  const conflicts = conflictsConfig((k) => global.get(k), aliases, flows, fail);
  const workers = workersConfig((k) => global.get(k), aliases, flows, conflicts.lwwEnabled, fail);
  if (workers === undefined) {
    const many = flows.find((f) => f.enabled && f.tasksMax > 1);
    if (many !== undefined)
      warnings.push(
        `${file}: tasks.max = ${many.tasksMax} (flow ${many.name}) applies to a mirror cluster (kgw.workers.enabled = true); one process runs one task per connector`,
      );
  }
  return {
    file,
    clusters,
    flows,
    rest: {
      host: global.get('kgw.rest.host')?.value ?? GLOBAL_KEYS['kgw.rest.host'].default,
      port: Number(restPort?.value ?? GLOBAL_KEYS['kgw.rest.port'].default),
    },
    conflicts,
    ...(workers === undefined ? {} : { workers }),
    warnings,
  };
}

type Fail = (e: { key?: string; line?: number }, reason: string) => never;

/** A file ending in .yaml / .yml is the YAML form; anything else is read as mm2.properties. */
const isYamlFile = (file: string): boolean => /\.ya?ml$/i.test(file);

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function check(e: PropertyEntry, def: KeyDef, fail: Fail): void {
  const v = e.value.trim();
  switch (def.type) {
    case 'boolean':
      if (!/^(true|false)$/i.test(v)) fail(e, `expected true or false, got "${v}"`);
      return;
    case 'long': {
      if (!/^-?\d+$/.test(v)) fail(e, `expected an integer, got "${v}"`);
      const n = Number(v);
      if (def.min !== undefined && n < def.min) fail(e, `must be at least ${def.min}, got ${n}`);
      return;
    }
    case 'enum':
      if (!(def.values ?? []).includes(v))
        fail(e, `expected one of: ${(def.values ?? []).join(', ')}; got "${v}"`);
      return;
    case 'policy':
      if (v !== DEFAULT_POLICY && v !== IDENTITY_POLICY)
        fail(e, `unsupported replication policy "${v}"; use ${DEFAULT_POLICY} or ${IDENTITY_POLICY}`);
      return;
    case 'regexlist':
      try {
        PatternList.parse(v);
      } catch (err) {
        fail(e, `invalid regular expression: ${(err as Error).message}`);
      }
      return;
    case 'list':
    case 'string':
      return;
  }
}

/**
 * A cluster's connection from its `<alias>.`-prefixed Kafka client properties (every problem, named
 * by its key and line, in one ConfigError); notes on values Kafka would refuse go to `warnings`.
 */
function clusterConnection(
  file: string,
  alias: string,
  entries: PropertyEntry[],
  warnings: string[],
): ClusterConnection {
  const bootstrap = entries.find((e) => e.key === `${alias}.bootstrap.servers` && e.value.trim() !== '');
  if (!bootstrap)
    throw new ConfigError(file, [
      { file, path: `${alias}.bootstrap.servers`, message: 'missing: every cluster needs one' },
    ]);
  const checked = checkedConnectionFromProperties(entries, file, { prefix: `${alias}.` });
  if (!checked.connection) throw new ConfigError(file, checked.problems);
  warnings.push(...checked.warnings);
  return checked.connection;
}

function clusterConfig(
  alias: string,
  connection: ClusterConnection,
  keys: Map<ClusterKey, Located>,
): ClusterConfig {
  const get = (k: ClusterKey): string => keys.get(k)?.value.trim() ?? CLUSTER_KEYS[k].default;
  return {
    alias,
    connection,
    bootstrapServers: connection.bootstrap,
    clientId: connection.clientId ?? `kgw-mirror-${alias}`,
    requestTimeoutMs: connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    isolationLevel: get('consumer.isolation.level') as ClusterConfig['isolationLevel'],
  };
}

function flowConfig(
  source: string,
  target: string,
  own: Map<FlowKey, Located>,
  global: Map<string, Located>,
  fail: Fail,
): FlowConfig {
  const get = (k: FlowKey): string => (own.get(k) ?? global.get(k))?.value.trim() ?? FLOW_KEYS[k].default;
  const bool = (k: FlowKey): boolean => get(k).toLowerCase() === 'true';
  const num = (k: FlowKey): number => Number(get(k));
  // MM2: an interval is off when its feature is disabled or the interval is negative.
  const interval = (k: FlowKey, enabled?: FlowKey): number =>
    (enabled !== undefined && !bool(enabled)) || num(k) < 0 ? -1 : num(k) * 1000;
  const policy = get('replication.policy.class') === IDENTITY_POLICY ? 'identity' : 'default';
  const separator = get('replication.policy.separator');
  if (separator === '') {
    const where = own.get('replication.policy.separator') ?? global.get('replication.policy.separator');
    fail({ key: 'replication.policy.separator', line: where?.line }, 'must not be empty');
  }
  return {
    source,
    target,
    name: `${source}->${target}`,
    enabled: bool('enabled'),
    topics: PatternList.parse(get('topics')),
    topicsExclude: PatternList.parse(get('topics.exclude')),
    groups: PatternList.parse(get('groups')),
    groupsExclude: PatternList.parse(get('groups.exclude')),
    configPropertiesExclude: PatternList.parse(get('config.properties.exclude')),
    policy,
    separator,
    syncTopicConfigs: bool('sync.topic.configs.enabled'),
    syncTopicConfigsIntervalMs: interval('sync.topic.configs.interval.seconds', 'sync.topic.configs.enabled'),
    syncTopicAcls: bool('sync.topic.acls.enabled'),
    syncTopicAclsIntervalMs: interval('sync.topic.acls.interval.seconds', 'sync.topic.acls.enabled'),
    refreshTopicsIntervalMs: interval('refresh.topics.interval.seconds', 'refresh.topics.enabled'),
    refreshGroupsIntervalMs: interval('refresh.groups.interval.seconds', 'refresh.groups.enabled'),
    emitHeartbeatsIntervalMs: interval('emit.heartbeats.interval.seconds', 'emit.heartbeats.enabled'),
    emitCheckpointsIntervalMs: interval('emit.checkpoints.interval.seconds', 'emit.checkpoints.enabled'),
    emitOffsetSyncs: bool('emit.offset-syncs.enabled'),
    syncGroupOffsets: bool('sync.group.offsets.enabled'),
    syncGroupOffsetsIntervalMs: interval('sync.group.offsets.interval.seconds', 'sync.group.offsets.enabled'),
    heartbeatsReplication: bool('heartbeats.replication.enabled'),
    offsetLagMax: num('offset.lag.max'),
    replicationFactor: num('replication.factor'),
    heartbeatsTopicReplicationFactor: num('heartbeats.topic.replication.factor'),
    checkpointsTopicReplicationFactor: num('checkpoints.topic.replication.factor'),
    offsetSyncsTopicReplicationFactor: num('offset-syncs.topic.replication.factor'),
    offsetSyncsTopicLocation: get('offset-syncs.topic.location') as 'source' | 'target',
    maxInFlightBytes: num('kgw.max.in.flight.bytes'),
    positionsCommitIntervalMs: num('kgw.positions.commit.interval.ms'),
    fetchMaxBytes: num('kgw.fetch.max.bytes'),
    fetchMaxWaitMs: num('kgw.fetch.max.wait.ms'),
    checkpointMaxSyncRuns: num('kgw.checkpoint.max.sync.runs'),
    conflictWindowMs: num('kgw.conflicts.window.ms'),
    tasksMax: num('tasks.max'),
    exactlyOnce: false, // a worker-level key: set by resolveConfig
  };
}
