/**
 * Reads one cluster's offsets through the admin API (kafkajs): every consumer group (ListGroups —
 * classic and KIP-848 `consumer` groups alike), its state and member count (DescribeGroups), its
 * committed offsets (OffsetFetch), and the earliest/latest offsets of every topic it commits to
 * (ListOffsets). Pure reading: lag is computed elsewhere (compute.ts).
 */
import { AssignerProtocol, Kafka, type Admin, type GroupDescription } from 'kafkajs';
import { kafkajsConfig } from '../../client/cluster-connection.js';
import type { ClusterConfig } from '../config.js';
import { errorMessage, mapLimit } from '../util.js';
import type { ClusterSnapshot, GroupOffsets, PartitionOffsets, PartitionOwner } from './types.js';
import { installKafkajsCodecs } from '../../client/kafkajs/codecs.js';

// Topic tails (offset syncs, heartbeats, probes) may be compressed with any codec clients use.
installKafkajsCodecs();

export interface CollectorOptions {
  groupFilter: (group: string) => boolean;
  topicFilter: (topic: string) => boolean;
  /**
   * Topics to read every cycle even when no selected group commits to them (mirrored topics),
   * chosen from the cluster's topic list. When set, each cycle also lists the topics.
   */
  wantTopics?: (allTopics: readonly string[]) => readonly string[];
  concurrency: number;
  /** Per-request timeout; the cycle deadline is enforced by the caller. */
  requestTimeoutMs: number;
}

export class ClusterCollector {
  readonly kafka: Kafka;
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    readonly cluster: ClusterConfig,
    private readonly opts: CollectorOptions,
  ) {
    // TLS / SASL from the cluster's connection settings, as every product maps them.
    this.kafka = new Kafka({
      ...kafkajsConfig(cluster, {
        clientId: cluster.clientId,
        connectTimeoutMs: Math.min(3000, opts.requestTimeoutMs),
        requestTimeoutMs: opts.requestTimeoutMs,
      }),
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (err) {
        this.connecting = undefined;
        throw err;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  /** Drops the admin connection so the next cycle reconnects (after a failure or a deadline). */
  async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    if (admin) await admin.disconnect().catch(() => undefined);
  }

  async collect(): Promise<ClusterSnapshot> {
    const admin = await this.connected();
    const warnings: string[] = [];
    const { groups: listed } = await admin.listGroups();
    const selected = listed.filter((g) => this.opts.groupFilter(g.groupId));
    const described = new Map<
      string,
      { state: string; members: number; protocolType: string; owners: GroupOffsets['owners'] }
    >();
    if (selected.length > 0) {
      try {
        const { groups } = await admin.describeGroups(selected.map((g) => g.groupId));
        for (const g of groups) {
          described.set(g.groupId, {
            state: g.state,
            members: g.members.length,
            protocolType: g.protocolType,
            owners: decodeOwners(g),
          });
        }
      } catch (err) {
        warnings.push(`DescribeGroups: ${errorMessage(err)}`);
      }
    }

    const groups = (
      await mapLimit(selected, this.opts.concurrency, async (g): Promise<GroupOffsets | undefined> => {
        try {
          const fetched = await admin.fetchOffsets({ groupId: g.groupId });
          const offsets = new Map<string, Map<number, number>>();
          for (const t of fetched) {
            if (!this.opts.topicFilter(t.topic)) continue;
            const m = new Map<number, number>();
            for (const p of t.partitions) {
              const o = Number(p.offset);
              if (o >= 0) m.set(p.partition, o); // -1: no commit for this partition
            }
            if (m.size > 0) offsets.set(t.topic, m);
          }
          // DescribeGroups is the classic API: for a KIP-848 `consumer` group Kafka answers "Dead"
          // with no members (kafkajs has no ConsumerGroupDescribe), so state and members are unknown
          // there and ListGroups' protocol type is the one to trust.
          const d = described.get(g.groupId);
          const undescribed = !d || d.state === 'Dead';
          return {
            group: g.groupId,
            protocolType: (undescribed ? undefined : d.protocolType) || g.protocolType,
            state: undescribed ? 'Unknown' : d.state,
            members: d?.members ?? 0,
            offsets,
            ...(d?.owners ? { owners: d.owners } : {}),
          };
        } catch (err) {
          warnings.push(`OffsetFetch ${g.groupId}: ${errorMessage(err)}`);
          return undefined;
        }
      })
    ).filter((g): g is GroupOffsets => g !== undefined);

    const topicNames = new Set<string>();
    for (const g of groups) for (const t of g.offsets.keys()) topicNames.add(t);
    let allTopics: string[] | undefined;
    if (this.opts.wantTopics) {
      allTopics = await admin.listTopics();
      for (const t of this.opts.wantTopics(allTopics)) topicNames.add(t);
    }

    const takenAtMs = Date.now();
    const topics = new Map<string, PartitionOffsets[]>();
    await mapLimit([...topicNames], this.opts.concurrency, async (topic) => {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        topics.set(
          topic,
          offsets.map((p) => ({ partition: p.partition, earliest: Number(p.low), latest: Number(p.high) })),
        );
      } catch (err) {
        warnings.push(`ListOffsets ${topic}: ${errorMessage(err)}`);
      }
    });
    return {
      cluster: this.cluster.name,
      takenAtMs,
      topics,
      groups,
      warnings,
      ...(allTopics ? { allTopics } : {}),
    };
  }
}

/**
 * Partition → owning member, from the classic consumer protocol's assignments. Undefined when any
 * member's assignment cannot be decoded (another protocol type, or a KIP-848 group whose
 * DescribeGroups answer carries no classic assignment).
 */
function decodeOwners(g: GroupDescription): Map<string, Map<number, PartitionOwner>> | undefined {
  if (g.protocolType !== 'consumer' || g.members.length === 0) return undefined;
  const owners = new Map<string, Map<number, PartitionOwner>>();
  for (const m of g.members) {
    if (!m.memberAssignment || m.memberAssignment.length === 0) return undefined;
    let decoded: ReturnType<typeof AssignerProtocol.MemberAssignment.decode>;
    try {
      decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    } catch {
      return undefined;
    }
    if (!decoded) return undefined;
    for (const [topic, partitions] of Object.entries(decoded.assignment)) {
      let byPartition = owners.get(topic);
      if (!byPartition) owners.set(topic, (byPartition = new Map()));
      for (const p of partitions) byPartition.set(p, { host: m.clientHost, clientId: m.clientId });
    }
  }
  return owners;
}
