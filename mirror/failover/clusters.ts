/**
 * Which clusters a failover runs between: the aliases of the mirror's configuration file
 * (mm2.properties or YAML, with their bootstrap servers, TLS and SASL settings), so operators name
 * clusters as the mirror does, and `--bootstrap alias=host:port,…` to override an alias' servers or
 * to name clusters without a configuration file (plaintext).
 */
import { loadMirrorConfig, type ClusterConfig, type FlowConfig } from '../config/config.js';
import { policyFor, type ReplicationPolicy } from '../../mm2/replication-policy.js';

/** A mistake in the command line or the configuration it names; the message says what to change. */
export class FailoverInputError extends Error {
  override readonly name = 'FailoverInputError';
}

export interface ClusterSelection {
  config?: string;
  /** `alias=host:port[,host:port…]`, repeatable. */
  bootstrap: string[];
  from: string;
  to: string;
  /** Only without --config (the file says which policy the mirror uses). */
  replicationPolicy?: string;
}

export interface FailoverClusters {
  source: ClusterConfig;
  target: ClusterConfig;
  /** How the flow source->target names topics on the target (MM2's ReplicationPolicy). */
  policy: ReplicationPolicy;
  /** Where each flow keeps its offset syncs ('source' unless the configuration says otherwise). */
  forwardSyncsLocation: FlowConfig['offsetSyncsTopicLocation'];
  reverseSyncsLocation: FlowConfig['offsetSyncsTopicLocation'];
}

const HOST_PORT = /^[^:\s,=]+:\d{1,5}$/;

function parseOverrides(entries: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const eq = e.indexOf('=');
    const alias = e.slice(0, eq).trim();
    const servers = e
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (eq <= 0 || servers.length === 0)
      throw new FailoverInputError(
        `--bootstrap "${e}": expected <cluster alias>=<host:port>[,<host:port>…], e.g. west=10.0.0.5:9092`,
      );
    for (const s of servers)
      if (!HOST_PORT.test(s)) throw new FailoverInputError(`--bootstrap "${e}": "${s}" is not host:port`);
    out.set(alias, servers);
  }
  return out;
}

const plaintext = (alias: string, bootstrapServers: string[]): ClusterConfig => ({
  alias,
  connection: { bootstrap: bootstrapServers },
  bootstrapServers,
  clientId: `kgw-failover-${alias}`,
  requestTimeoutMs: 30_000,
});

export function resolveClusters(o: ClusterSelection): FailoverClusters {
  if (o.from === o.to)
    throw new FailoverInputError(`--from and --to both name "${o.from}": give two clusters`);
  const overrides = parseOverrides(o.bootstrap);
  const config = o.config === undefined ? undefined : loadMirrorConfig(o.config);
  if (config !== undefined && o.replicationPolicy !== undefined)
    throw new FailoverInputError(
      `--replication-policy is only for runs without --config: ${o.config} sets replication.policy.class`,
    );
  const cluster = (alias: string, flag: string): ClusterConfig => {
    const configured = config?.clusters.get(alias);
    const servers = overrides.get(alias);
    if (configured !== undefined)
      return servers === undefined
        ? configured
        : {
            ...configured,
            connection: { ...configured.connection, bootstrap: servers },
            bootstrapServers: servers,
          };
    if (servers !== undefined) return plaintext(alias, servers);
    throw new FailoverInputError(
      config === undefined
        ? `cluster "${alias}" (${flag}) is unknown: give --config <mm2.properties|yaml> or --bootstrap ${alias}=<host:port>`
        : `cluster "${alias}" (${flag}) is not defined in ${config.file} (its clusters: ${[...config.clusters.keys()].join(', ')}); ` +
            `use one of those aliases or add --bootstrap ${alias}=<host:port>`,
    );
  };
  const source = cluster(o.from, '--from');
  const target = cluster(o.to, '--to');
  const forward = config?.flows.find((f) => f.source === o.from && f.target === o.to);
  const reverse = config?.flows.find((f) => f.source === o.to && f.target === o.from);
  let policy: ReplicationPolicy;
  if (forward !== undefined) policy = policyFor(forward);
  else {
    const name = o.replicationPolicy ?? 'default';
    if (name !== 'default' && name !== 'identity')
      throw new FailoverInputError(`--replication-policy "${name}": expected default or identity`);
    policy = policyFor({ policy: name, separator: '.', source: o.from });
  }
  return {
    source,
    target,
    policy,
    forwardSyncsLocation: forward?.offsetSyncsTopicLocation ?? 'source',
    reverseSyncsLocation: reverse?.offsetSyncsTopicLocation ?? 'source',
  };
}

/**
 * The target's name for a source topic (MirrorCheckpointTask.renameTopicPartition): a topic that
 * came from the target goes back to its original name, any other gets the policy's remote name.
 */
export function targetTopicName(
  policy: ReplicationPolicy,
  source: string,
  target: string,
  topic: string,
): string {
  return policy.topicSource(topic) === target
    ? policy.originalTopic(topic)
    : policy.formatRemoteTopic(source, topic);
}

/** The inverse: the source's name for a topic named as the target has it. */
export function sourceTopicName(
  policy: ReplicationPolicy,
  source: string,
  target: string,
  topic: string,
): string {
  return policy.topicSource(topic) === source
    ? (policy.upstreamTopic(topic) ?? topic)
    : policy.formatRemoteTopic(target, topic);
}
