/**
 * Cross-DC replication lag per mirrored partition, in records and seconds.
 *
 * The mirror's progress on a source partition is expressed as the source offset up to which the
 * target has a copy ("replicated up to"). Two methods (config `mirrors[].lagMethod`):
 *
 *  - offset-syncs (default): MM2 writes OffsetSync{topic, partition, upstreamOffset, offset} to
 *    the flow's offset-syncs topic (offsetSyncsTail): source offset `upstream` was written at target offset
 *    `offset`. Records after a sync are copied one-to-one, so with the target's log end offset L:
 *    replicatedUpTo = upstream + (L − offset), never beyond the source's log end.
 *  - log-end-diff: replicatedUpTo = target log end offset. Correct only when the mirror created the
 *    target topic and copied the source from offset 0 without filtering.
 *
 * lag records = source log end − replicatedUpTo; lag seconds = now − the time the source's log end
 * was at replicatedUpTo, from the source partition's offset→time table (lookup-table.ts).
 */
import type { MirrorConfig } from '../config.js';
import type { LookupTables } from './compute.js';
import type { TimeLagKind } from './lookup-table.js';
import { offsetSyncsTopic, policyFor, type ReplicationPolicy } from '../../mm2/replication-policy.js';
import type { ClusterSnapshot } from './types.js';

export interface ReplicationLag {
  readonly source: string;
  readonly target: string;
  readonly topic: string;
  readonly targetTopic: string;
  readonly partition: number;
  readonly sourceLatest: number;
  readonly replicatedUpTo: number;
  readonly lag: number;
  readonly lagSeconds: number | undefined;
  readonly lagSecondsKind: TimeLagKind;
}

type PolicyOfMirror = Pick<MirrorConfig, 'source' | 'replicationPolicy' | 'separator'>;

/** The MM2 replication policy of a watched mirror: MM2's naming lives once, in mm2/. */
export const mirrorPolicy = (m: PolicyOfMirror): ReplicationPolicy =>
  policyFor({ policy: m.replicationPolicy, separator: m.separator, source: m.source });

/** The topic name a mirror flow writes a source topic to (the policy's remote topic name). */
export const targetTopicName = (m: PolicyOfMirror, topic: string): string =>
  mirrorPolicy(m).formatRemoteTopic(m.source, topic);

/** A partition's newest offset sync in the monitor's number arithmetic (mm2/formats decodes bigints). */
export interface SyncPoint {
  readonly upstreamOffset: number;
  readonly downstreamOffset: number;
}

/**
 * Where the monitor tails a flow's offset syncs: the cluster `offsetSyncsLocation` names, and the
 * topic MM2 names after the other cluster (mm2/replication-policy.ts).
 */
export function offsetSyncsTail(m: Pick<MirrorConfig, 'source' | 'target' | 'offsetSyncsLocation'>): {
  cluster: string;
  topic: string;
} {
  const location = m.offsetSyncsLocation;
  return {
    cluster: location === 'source' ? m.source : m.target,
    topic: offsetSyncsTopic({ source: m.source, target: m.target, location }),
  };
}

/**
 * Topics not counted as replicated data: the policy's internal topics (MM2's and Kafka's own) and
 * heartbeats (copied by MM2, but their lag says nothing about the data's).
 */
export function isMirrorInternalTopic(policy: ReplicationPolicy, topic: string): boolean {
  return policy.isInternalTopic(topic) || policy.isHeartbeatsTopic(topic);
}

export function computeReplicationLag(
  mirror: MirrorConfig,
  mirroredTopics: readonly string[],
  source: ClusterSnapshot,
  target: ClusterSnapshot,
  sourceTables: LookupTables,
  syncs: ReadonlyMap<string, SyncPoint> | undefined,
): ReplicationLag[] {
  const rows: ReplicationLag[] = [];
  const now = source.takenAtMs;
  for (const topic of mirroredTopics) {
    const src = source.topics.get(topic);
    const targetTopic = targetTopicName(mirror, topic);
    const dst = target.topics.get(targetTopic);
    if (!src || !dst) continue;
    const dstLatest = new Map(dst.map((p) => [p.partition, p.latest]));
    for (const p of src) {
      const targetLatest = dstLatest.get(p.partition);
      if (targetLatest === undefined) continue;
      let upTo: number;
      if (mirror.lagMethod === 'offset-syncs') {
        const sync = syncs?.get(`${topic}\0${p.partition}`);
        if (!sync) continue; // nothing replicated yet, or syncs not read yet: unknown, not zero
        upTo = sync.upstreamOffset + Math.max(0, targetLatest - sync.downstreamOffset);
      } else {
        upTo = targetLatest;
      }
      upTo = Math.min(upTo, p.latest);
      const lag = p.latest - upTo;
      const t =
        lag === 0
          ? { kind: 'zero' as const, seconds: 0 }
          : (sourceTables.get(topic, p.partition)?.timeLag(upTo, now) ?? {
              kind: 'too-few-points' as const,
              seconds: undefined,
            });
      rows.push({
        source: mirror.source,
        target: mirror.target,
        topic,
        targetTopic,
        partition: p.partition,
        sourceLatest: p.latest,
        replicatedUpTo: upTo,
        lag,
        lagSeconds: t.seconds,
        lagSecondsKind: t.kind,
      });
    }
  }
  return rows;
}
