/**
 * Replication policies with MM2's semantics (connect-mirror-client's DefaultReplicationPolicy and
 * IdentityReplicationPolicy): how a topic is named on the target, where a remote topic came from,
 * and the names of MM2's internal topics.
 */

export const HEARTBEATS_TOPIC = 'heartbeats';

export interface ReplicationPolicy {
  readonly kind: 'default' | 'identity';
  formatRemoteTopic(sourceAlias: string, topic: string): string;
  /** The cluster a remote topic came from, or null when the name does not say. */
  topicSource(topic: string): string | null;
  upstreamTopic(topic: string): string | null;
  originalTopic(topic: string): string;
  isHeartbeatsTopic(topic: string): boolean;
  isInternalTopic(topic: string): boolean;
}

/** MM2's `offset-syncs.topic.location`: which cluster of a flow holds its offset-syncs topic. */
export type OffsetSyncsTopicLocation = 'source' | 'target';

/**
 * The offset-syncs topic of a flow, as MirrorSourceConfig.offsetSyncsTopic() and
 * MirrorCheckpointConfig.offsetSyncsTopic() name it: after the cluster the topic does NOT live on.
 * On the source (the default) it is `mm2-offset-syncs.<target>.internal`; with location=target it
 * lives on the target and is `mm2-offset-syncs.<source>.internal`. Writer, checkpoint reader,
 * failover and monitor all ask here, so they cannot disagree again.
 */
export function offsetSyncsTopic(flow: {
  readonly source: string;
  readonly target: string;
  readonly location: OffsetSyncsTopicLocation;
}): string {
  const otherCluster = flow.location === 'source' ? flow.target : flow.source;
  return `mm2-offset-syncs.${otherCluster}.internal`;
}
export const checkpointsTopic = (sourceAlias: string): string => `${sourceAlias}.checkpoints.internal`;
/** kgw's own: the source positions of a flow, stored on the target (see docs/mirror.md). */
export const positionsTopic = (sourceAlias: string): string => `kgw-mirror-offsets.${sourceAlias}.internal`;

export class DefaultReplicationPolicy implements ReplicationPolicy {
  readonly kind: 'default' | 'identity' = 'default';
  constructor(readonly separator = '.') {}

  formatRemoteTopic(sourceAlias: string, topic: string): string {
    return `${sourceAlias}${this.separator}${topic}`;
  }

  topicSource(topic: string): string | null {
    const i = topic.indexOf(this.separator);
    return i <= 0 ? null : topic.slice(0, i);
  }

  upstreamTopic(topic: string): string | null {
    const source = this.topicSource(topic);
    return source === null ? null : topic.slice(source.length + this.separator.length);
  }

  originalTopic(topic: string): string {
    const upstream = this.upstreamTopic(topic);
    return upstream === null || upstream === topic ? topic : this.originalTopic(upstream);
  }

  isHeartbeatsTopic(topic: string): boolean {
    return this.originalTopic(topic) === HEARTBEATS_TOPIC;
  }

  isInternalTopic(topic: string): boolean {
    const mm2Internal =
      topic.endsWith('.internal') &&
      (topic.startsWith('mm2-offset-syncs.') || topic.endsWith('.checkpoints.internal'));
    const kafkaInternal = topic.startsWith('__') || topic.startsWith('.');
    const connectInternal = topic.endsWith('-internal') || topic.endsWith('.internal');
    return mm2Internal || kafkaInternal || connectInternal;
  }
}

/** Topic names unchanged, except heartbeats which are named as by the default policy. */
export class IdentityReplicationPolicy extends DefaultReplicationPolicy {
  override readonly kind = 'identity' as const;
  constructor(
    separator: string,
    private readonly sourceClusterAlias: string | null,
  ) {
    super(separator);
  }

  private looksLikeHeartbeat(topic: string): boolean {
    return topic.endsWith(HEARTBEATS_TOPIC);
  }

  override formatRemoteTopic(sourceAlias: string, topic: string): string {
    return this.looksLikeHeartbeat(topic) ? super.formatRemoteTopic(sourceAlias, topic) : topic;
  }

  override topicSource(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.topicSource(topic) : this.sourceClusterAlias;
  }

  override upstreamTopic(topic: string): string | null {
    return this.looksLikeHeartbeat(topic) ? super.upstreamTopic(topic) : topic;
  }
}

/** The replication policy of a flow (`replication.policy.class`, its separator and source alias). */
export interface PolicyChoice {
  readonly policy: 'default' | 'identity';
  readonly separator: string;
  readonly source: string;
}

export function policyFor(flow: PolicyChoice): ReplicationPolicy {
  return flow.policy === 'identity'
    ? new IdentityReplicationPolicy(flow.separator, flow.source)
    : new DefaultReplicationPolicy(flow.separator);
}

/** MirrorSourceConnector.isCycle: does the topic's name say it already came from `target`? */
export function isCycle(policy: ReplicationPolicy, target: string, topic: string): boolean {
  const source = policy.topicSource(topic);
  if (source === null) return false;
  if (source === target) return true;
  const upstream = policy.upstreamTopic(topic);
  // Identity-like policies return the topic itself: the name carries no more history.
  if (upstream === null || upstream === topic) return false;
  return isCycle(policy, target, upstream);
}
