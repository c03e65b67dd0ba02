/**
 * MirrorCheckpointConnector: translates the committed offsets of the source's consumer groups through
 * the offset syncs and writes MM2 checkpoints to <source>.checkpoints.internal on the target; with
 * sync.group.offsets.enabled also commits the translated offsets into target groups that have no
 * active members, never moving a group backwards.
 */
import type { Admin, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { tpKey } from '../../protocol/client/cluster.js';
import { NativeFetcher } from '../../protocol/client/fetcher.js';
import { commitGroupOffsets } from '../../protocol/client/group-offsets.js';
import { readTopicToEnd, topicOffsets } from '../../protocol/client/read-to-end.js';
import type { ClusterConfig, FlowConfig } from '../config/config.js';
import { Connector } from '../connector.js';
import { decodeCheckpoint, decodeOffsetSync, encodeCheckpoint, type Checkpoint } from '../formats.js';
import { kafkaFor } from '../kafka/clients.js';
import { connectionOptions, NativeCluster } from '../kafka/native-cluster.js';
import type { MirrorMetrics } from '../metrics.js';
import { includedAndNotExcluded } from '../policy/filters.js';
import {
  checkpointsTopic,
  offsetSyncsTopic,
  policyFor,
  type ReplicationPolicy,
} from '../policy/replication-policy.js';
import { ensureCompactedTopic } from '../source/topics.js';
import { OffsetSyncStore } from './offset-sync-store.js';

export class MirrorCheckpointConnector extends Connector {
  private sourceAdmin?: Admin;
  private targetAdmin?: Admin;
  private producer?: Producer;
  private syncFetcher?: NativeFetcher;
  /** The target: checkpoints read back at start, offsets committed into groups. */
  private target?: NativeCluster;
  private cancelTimers: (() => void)[] = [];
  private groups: string[] = [];
  /** Last checkpoint per group and (target) topic-partition. */
  private readonly checkpoints = new Map<string, Map<string, Checkpoint>>();
  private store = new OffsetSyncStore();
  private policy!: ReplicationPolicy;

  constructor(
    flow: FlowConfig,
    private readonly sourceCluster: ClusterConfig,
    private readonly targetCluster: ClusterConfig,
    private readonly metrics: MirrorMetrics,
    log: Logger,
    workerId: string,
  ) {
    super('MirrorCheckpointConnector', flow, log, workerId);
  }

  protected async run(): Promise<void> {
    const flow = this.flow;
    this.policy = policyFor(flow);
    const role = `${flow.name}-checkpoint`;
    const sourceKafka = kafkaFor(this.sourceCluster, role, this.log);
    const targetKafka = kafkaFor(this.targetCluster, role, this.log);
    this.sourceAdmin = sourceKafka.admin();
    this.targetAdmin = targetKafka.admin();
    await Promise.all([this.sourceAdmin.connect(), this.targetAdmin.connect()]);
    this.producer = targetKafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.target = new NativeCluster(this.targetCluster, connectionOptions(this.targetCluster, role));
    const isStopped = (): boolean => this.stopping;

    const topic = checkpointsTopic(flow.source);
    await ensureCompactedTopic(this.targetAdmin, topic, flow.checkpointsTopicReplicationFactor);
    this.checkpoints.clear();
    await readTopicToEnd(
      this.target,
      topic,
      (_p, r) => {
        if (r.key === null || r.value === null) return;
        const c = decodeCheckpoint(r.key, r.value);
        this.remember(c);
      },
      { isStopped },
    );

    // The offset syncs: read to the end once before translating anything, then follow.
    const syncsOnSource = flow.offsetSyncsTopicLocation === 'source';
    const syncsCluster = syncsOnSource ? this.sourceCluster : this.targetCluster;
    const syncsAdmin = syncsOnSource ? this.sourceAdmin : this.targetAdmin;
    const syncsTopic = offsetSyncsTopic(syncsOnSource ? flow.target : flow.source);
    await ensureCompactedTopic(syncsAdmin, syncsTopic, flow.offsetSyncsTopicReplicationFactor);
    this.store = new OffsetSyncStore();
    // Its own connections: a long-polling Fetch would hold up the commits queued behind it.
    const syncs = new NativeCluster(syncsCluster, connectionOptions(syncsCluster, role));
    this.syncFetcher = new NativeFetcher(syncs, {
      maxBytes: 4 << 20,
      partitionMaxBytes: 4 << 20,
      maxWaitMs: 500,
    });
    const p0 = (await topicOffsets(syncs, syncsTopic)).find((o) => o.partition === 0);
    const end = p0?.high ?? 0n;
    await this.syncFetcher.assign(syncsTopic, 0, p0?.low ?? null);
    if ((this.syncFetcher.position(syncsTopic, 0) ?? 0n) >= end) this.store.readToEnd = true;

    await this.refreshGroups();
    this.cancelTimers = [
      this.every(flow.refreshGroupsIntervalMs, 'group refresh', () => this.refreshGroups()),
      this.every(flow.emitCheckpointsIntervalMs, 'checkpoint', () => this.emitCheckpoints()),
      this.every(flow.syncGroupOffsetsIntervalMs, 'group offset sync', () => this.syncGroupOffsets()),
    ];
    while (await this.pausePoint()) {
      for (const b of await this.syncFetcher.poll()) {
        for (const r of b.records) if (r.key && r.value) this.store.add(decodeOffsetSync(r.key, r.value));
        if (b.nextOffset >= end) this.store.readToEnd = true;
      }
    }
  }

  protected async cleanup(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
    this.syncFetcher?.disconnect();
    this.target?.close();
    await Promise.all([
      this.producer?.disconnect().catch(() => undefined),
      this.sourceAdmin?.disconnect().catch(() => undefined),
      this.targetAdmin?.disconnect().catch(() => undefined),
    ]);
    this.syncFetcher = undefined;
    this.target = undefined;
  }

  private remember(c: Checkpoint): void {
    let m = this.checkpoints.get(c.group);
    if (m === undefined) this.checkpoints.set(c.group, (m = new Map()));
    m.set(tpKey(c.topic, c.partition), c);
  }

  private async refreshGroups(): Promise<void> {
    const { groups } = await this.sourceAdmin!.listGroups();
    this.groups = groups
      .map((g) => g.groupId)
      .filter((g) => includedAndNotExcluded(this.flow.groups, this.flow.groupsExclude, g))
      .sort();
  }

  /** MirrorCheckpointTask.renameTopicPartition. */
  private renameTopic(topic: string): string {
    return this.policy.topicSource(topic) === this.flow.target
      ? this.policy.originalTopic(topic)
      : this.policy.formatRemoteTopic(this.flow.source, topic);
  }

  /** MM2: emit on an upstream rewind or when the downstream offset advanced; never rewind downstream otherwise. */
  private isMoreRecent(c: Checkpoint): boolean {
    const last = this.checkpoints.get(c.group)?.get(tpKey(c.topic, c.partition));
    if (last === undefined) return true;
    if (c.upstreamOffset < last.upstreamOffset) return true;
    return c.downstreamOffset > last.downstreamOffset;
  }

  async emitCheckpoints(): Promise<void> {
    const fresh: Checkpoint[] = [];
    for (const group of this.groups) {
      const offsets = await this.sourceAdmin!.fetchOffsets({ groupId: group });
      for (const t of offsets) {
        if (!includedAndNotExcluded(this.flow.topics, this.flow.topicsExclude, t.topic)) continue;
        for (const p of t.partitions) {
          const upstream = BigInt(p.offset);
          if (upstream < 0n) continue;
          const downstream = this.store.translateDownstream(t.topic, p.partition, upstream);
          if (downstream === undefined || downstream < 0n) continue;
          const c: Checkpoint = {
            group,
            topic: this.renameTopic(t.topic),
            partition: p.partition,
            upstreamOffset: upstream,
            downstreamOffset: downstream,
            metadata: p.metadata ?? '',
          };
          if (this.isMoreRecent(c)) fresh.push(c);
        }
      }
    }
    if (fresh.length === 0) return;
    const timestamp = Date.now();
    await this.producer!.send({
      topic: checkpointsTopic(this.flow.source),
      acks: -1,
      messages: fresh.map((c) => ({ partition: 0, timestamp: String(timestamp), ...encodeCheckpoint(c) })),
    });
    const acked = Date.now();
    for (const c of fresh) {
      this.remember(c);
      this.metrics.checkpointLatency(
        this.flow.source,
        this.flow.target,
        c.group,
        c.topic,
        c.partition,
        acked - timestamp,
      );
    }
  }

  /**
   * Commits translated offsets into idle (Empty) or unknown (Dead) target groups, only forwards.
   * The commit goes to the group coordinator without a member id (commitGroupOffsets), which Kafka
   * refuses for a group that has members: consumers that joined since describeGroups win.
   */
  async syncGroupOffsets(): Promise<void> {
    if (this.checkpoints.size === 0 || this.target === undefined) return;
    const groups = [...this.checkpoints.keys()];
    const described = await this.targetAdmin!.describeGroups(groups);
    for (const g of described.groups) {
      if (g.state !== 'Empty' && g.state !== 'Dead') continue; // active consumers own their offsets
      const wanted = this.checkpoints.get(g.groupId)!;
      const current = new Map<string, bigint>();
      if (g.state === 'Empty') {
        for (const t of await this.targetAdmin!.fetchOffsets({ groupId: g.groupId })) {
          for (const p of t.partitions) current.set(tpKey(t.topic, p.partition), BigInt(p.offset));
        }
      }
      const offsets = [];
      for (const [key, c] of wanted) {
        const now = current.get(key);
        if (now !== undefined && now >= 0n && now >= c.downstreamOffset) continue; // never backwards
        offsets.push({ topic: c.topic, partition: c.partition, offset: c.downstreamOffset });
      }
      if (offsets.length === 0) continue;
      try {
        await commitGroupOffsets(this.target, g.groupId, offsets);
        this.log.debug({ connector: this.name, group: g.groupId }, 'synced group offsets');
      } catch (err) {
        // UNKNOWN_MEMBER_ID etc.: consumers joined meanwhile; they own the offsets now.
        this.log.warn(
          { connector: this.name, group: g.groupId, err: String(err) },
          'group offset sync skipped',
        );
      }
    }
  }
}
