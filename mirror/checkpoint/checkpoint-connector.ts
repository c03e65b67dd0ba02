/**
 * MirrorCheckpointConnector: translates the committed offsets of the source's consumer groups through
 * the offset syncs and writes MM2 checkpoints to <source>.checkpoints.internal on the target; with
 * sync.group.offsets.enabled also commits the translated offsets into target groups that have no
 * active members, never moving a group backwards.
 */
import type { Admin, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { tpKey } from '../../client/cluster.js';
import type { FetchRecord } from '../../client/fetcher.js';
import { commitGroupOffsets } from '../../client/group-offsets.js';
import { readTopicToEnd } from '../../client/read-to-end.js';
import type { ClusterConfig, FlowConfig } from '../config/config.js';
import { Connector } from '../connector.js';
import { decodeCheckpoint, decodeOffsetSync, encodeCheckpoint, type Checkpoint } from '../../mm2/formats.js';
import { kafkaFor } from '../kafka/clients.js';
import { connectionOptions, NativeCluster } from '../kafka/native-cluster.js';
import type { MirrorMetrics } from '../metrics.js';
import { includedAndNotExcluded } from '../../mm2/filters.js';
import {
  checkpointsTopic,
  offsetSyncsTopic,
  policyFor,
  positionsTopic,
  type ReplicationPolicy,
} from '../../mm2/replication-policy.js';
import { decodePosition, syncedPosition } from '../source/position-store.js';
import { ensureCompactedTopic } from '../source/topics.js';
import { translateBothOrigins } from './both-origins.js';
import { OffsetSyncStore, type Translation } from '../../mm2/offset-sync-store.js';
import { TargetCopies, type GroupPosition } from './target-copies.js';
import { TopicTail } from './topic-tail.js';

export class MirrorCheckpointConnector extends Connector {
  private sourceAdmin?: Admin;
  private targetAdmin?: Admin;
  private producer?: Producer;
  /** The cluster holding the offset syncs (source or target: offset-syncs.topic.location). */
  private syncsCluster?: NativeCluster;
  private syncsTail?: TopicTail;
  /** The source connector's committed positions (kgw-mirror-offsets.<source>.internal, target). */
  private positionsTail?: TopicTail;
  private readonly positions = new Map<string, bigint>();
  /** The target: checkpoints read back at start, positions followed, offsets committed into groups. */
  private target?: NativeCluster;
  /** The source, read for the copies of the target's own records that groups consume (active-active). */
  private source?: NativeCluster;
  private copies?: TargetCopies;
  /** Group partitions already reported as behind the kept sync history (logged once each). */
  private readonly reportedBehind = new Set<string>();
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
    this.source = new NativeCluster(this.sourceCluster, connectionOptions(this.sourceCluster, role));
    this.copies = new TargetCopies(this.source, {
      home: flow.target,
      homeTopic: (t) => this.renameTopic(t),
      maxRuns: flow.checkpointMaxSyncRuns,
    });
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

    // The offset syncs and the source positions: read to their ends now (the initial load), then
    // caught up again before every checkpoint round.
    const syncsOnSource = flow.offsetSyncsTopicLocation === 'source';
    const syncsCluster = syncsOnSource ? this.sourceCluster : this.targetCluster;
    const syncsAdmin = syncsOnSource ? this.sourceAdmin : this.targetAdmin;
    const syncsTopic = offsetSyncsTopic({ ...flow, location: flow.offsetSyncsTopicLocation });
    await ensureCompactedTopic(syncsAdmin, syncsTopic, flow.offsetSyncsTopicReplicationFactor);
    await ensureCompactedTopic(
      this.targetAdmin,
      positionsTopic(flow.source),
      flow.offsetSyncsTopicReplicationFactor,
    );
    this.store = new OffsetSyncStore(flow.checkpointMaxSyncRuns, (e) =>
      this.log.warn(
        {
          connector: this.name,
          topic: e.topic,
          partition: e.partition,
          oldestUpstream: String(e.oldestUpstream),
        },
        'offset-sync history trimmed (kgw.checkpoint.max.sync.runs): groups below oldestUpstream get no checkpoint',
      ),
    );
    this.positions.clear();
    this.reportedBehind.clear();
    // Own connections for the syncs: their reads must not queue behind group commits.
    this.syncsCluster = new NativeCluster(syncsCluster, connectionOptions(syncsCluster, role));
    this.syncsTail = new TopicTail(this.syncsCluster, syncsTopic);
    this.positionsTail = new TopicTail(this.target, positionsTopic(flow.source));
    await this.catchUp();
    this.log.info({ connector: this.name, syncRuns: this.store.runs }, 'offset syncs loaded');

    await this.refreshGroups();
    this.cancelTimers = [
      this.every(flow.refreshGroupsIntervalMs, 'group refresh', () => this.refreshGroups()),
      this.every(flow.emitCheckpointsIntervalMs, 'checkpoint', () => this.emitCheckpoints()),
      this.every(flow.syncGroupOffsetsIntervalMs, 'group offset sync', () => this.syncGroupOffsets()),
    ];
    while (await this.pausePoint()) await this.interruptibleSleep(1000);
  }

  /**
   * Positions first, then the syncs up to their end as of now: a position read here was committed
   * after the syncs below it were written, so those syncs are read too (see TopicTail).
   */
  private async catchUp(): Promise<void> {
    const isStopped = (): boolean => this.stopping;
    await this.positionsTail!.catchUp(
      this.skippingMalformed(this.positionsTail!.topic, (r) => {
        if (r.key === null) return;
        const p = decodePosition(r.key, r.value);
        if (p.offset === undefined) this.positions.delete(tpKey(p.topic, p.partition));
        else this.positions.set(tpKey(p.topic, p.partition), syncedPosition({ ...p, offset: p.offset }));
      }),
      isStopped,
    );
    await this.syncsTail!.catchUp(
      this.skippingMalformed(this.syncsTail!.topic, (r) => {
        if (r.key === null || r.value === null) return;
        this.store.add(decodeOffsetSync(r.key, r.value));
      }),
      isStopped,
    );
  }

  /** A record that is not in the topic's format was not written by a mirror: logged and skipped. */
  private skippingMalformed(topic: string, read: (r: FetchRecord) => void): (r: FetchRecord) => void {
    return (r) => {
      try {
        read(r);
      } catch (err) {
        this.log.warn(
          { connector: this.name, topic, offset: String(r.offset), err: String(err) },
          'malformed record skipped',
        );
      }
    };
  }

  protected async cleanup(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
    this.syncsCluster?.close();
    this.target?.close();
    this.source?.close();
    await Promise.all([
      this.producer?.disconnect().catch(() => undefined),
      this.sourceAdmin?.disconnect().catch(() => undefined),
      this.targetAdmin?.disconnect().catch(() => undefined),
    ]);
    this.syncsCluster = undefined;
    this.syncsTail = undefined;
    this.positionsTail = undefined;
    this.target = undefined;
    this.source = undefined;
    this.copies = undefined;
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

  /**
   * Whether a source topic can hold copies of the target's own records: any topic under
   * IdentityReplicationPolicy (same names both ways), only `<target>.<topic>` under the default policy.
   * Other topics are not read for copies (a one-way flow pays nothing).
   */
  private mayHoldTargetCopies(topic: string): boolean {
    return this.policy.kind === 'identity' || this.policy.topicSource(topic) === this.flow.target;
  }

  /** MM2: emit on an upstream rewind or when the downstream offset advanced; never rewind downstream otherwise. */
  private isMoreRecent(c: Checkpoint): boolean {
    const last = this.checkpoints.get(c.group)?.get(tpKey(c.topic, c.partition));
    if (last === undefined) return true;
    if (c.upstreamOffset < last.upstreamOffset) return true;
    return c.downstreamOffset > last.downstreamOffset;
  }

  async emitCheckpoints(): Promise<void> {
    const committed: (GroupPosition & { group: string; metadata: string })[] = [];
    for (const group of this.groups) {
      const offsets = await this.sourceAdmin!.fetchOffsets({ groupId: group });
      for (const t of offsets) {
        if (!includedAndNotExcluded(this.flow.topics, this.flow.topicsExclude, t.topic)) continue;
        for (const p of t.partitions) {
          const offset = BigInt(p.offset);
          if (offset >= 0n)
            committed.push({
              group,
              topic: t.topic,
              partition: p.partition,
              offset,
              metadata: p.metadata ?? '',
            });
        }
      }
    }
    // The group offsets are read first: every sync, position and copy they can need is read after.
    await this.catchUp();
    await this.copies!.catchUp(
      committed.filter((c) => this.mayHoldTargetCopies(c.topic)),
      () => this.stopping,
    );
    const fresh: Checkpoint[] = [];
    const untranslated = { ahead: 0, behind: 0, no_syncs: 0 };
    for (const { group, topic, partition, offset: upstream, metadata } of committed) {
      const position = this.positions.get(tpKey(topic, partition));
      const translated = translateBothOrigins(
        this.store.translate(topic, partition, upstream, position),
        this.mayHoldTargetCopies(topic)
          ? this.copies!.translate(topic, partition, upstream)
          : { kind: 'none' },
      );
      if (translated.kind !== 'exact') {
        untranslated[translated.kind === 'none' ? 'no_syncs' : translated.kind]++;
        this.untranslated(group, topic, partition, upstream, translated);
        continue;
      }
      const c: Checkpoint = {
        group,
        topic: this.renameTopic(topic),
        partition,
        upstreamOffset: upstream,
        downstreamOffset: translated.offset,
        metadata,
      };
      if (this.isMoreRecent(c)) fresh.push(c);
    }
    this.metrics.checkpointUntranslated(this.flow.source, this.flow.target, untranslated);
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
   * A group partition without an exact translation gets no checkpoint this round (its last one
   * stands): never a guess that could skip records. Ahead of the mirror is normal and passes once
   * the mirror has copied up to the group; behind the kept sync history is reported once.
   */
  private untranslated(
    group: string,
    topic: string,
    partition: number,
    upstream: bigint,
    t: Exclude<Translation, { kind: 'exact' }>,
  ): void {
    if (t.kind !== 'behind') return;
    const key = `${group}\u0000${tpKey(topic, partition)}`;
    if (this.reportedBehind.has(key)) return;
    this.reportedBehind.add(key);
    this.log.warn(
      {
        connector: this.name,
        group,
        topic,
        partition,
        groupOffset: String(upstream),
        oldestSynced: String(t.oldestUpstream),
      },
      'group offset is older than the kept offset-sync history: no checkpoint for this partition',
    );
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
