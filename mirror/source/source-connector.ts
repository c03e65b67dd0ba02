/**
 * MirrorSourceConnector: replicates the selected topics of one flow, partition for partition, with
 * provenance headers, and writes MM2 offset syncs.
 *
 * Pipeline: fetch (manual assignment, positions from the target) → transform (provenance, echo
 * filter) → produce (idempotent, acks=all, same partition index) → on acknowledgement: offset syncs,
 * metrics, position advanced. Fetch and produce use the project's own wire codec (NativeFetcher,
 * NativeProducer: record batches decoded and built directly, no per-record client objects); the
 * position store is read back at start with the same fetcher (client/read-to-end.ts);
 * kafkajs serves the admin work and writes positions and offset syncs, none of them per record.
 * Positions are written to the target every kgw.positions.commit.interval.ms. One fetch result may
 * be in flight to the target while the next is fetched; nothing else is buffered, so memory stays
 * under ~2 × kgw.fetch.max.bytes (the effective fetch size is
 * min(kgw.fetch.max.bytes, kgw.max.in.flight.bytes / 2)).
 *
 * Exactly-once mode (`exactly.once.source.support = enabled`, docs/mirror.md): the data producer is
 * transactional (mirror/exactly-once/), and each fetch result becomes one transaction on the target
 * holding its copies, the last-writer-wins repairs due, and the positions it advances with the offset
 * syncs it owes; the syncs are written after the commit (commitTransaction). No position timer then.
 */
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ClusterConfig, FlowConfig } from '../config/config.js';
import { Connector, type ConnectorStatus, type DataLossEvent } from '../connector.js';
import { encodeOffsetSync } from '../../mm2/formats.js';
import { kafkaFor } from '../kafka/clients.js';
import { BatchBuilder } from '../kafka/batch-builder.js';
import { connectionOptions, NativeCluster } from '../kafka/native-cluster.js';
import { NativeFetcher, type FetchBatch, type FetchRecord, type OffsetReset } from '../../client/fetcher.js';
import type { NativeProducer } from '../kafka/native-producer.js';
import { ProvenanceStamper } from '../kafka/record-headers.js';
import type { MirrorMetrics } from '../metrics.js';
import { policyFor, offsetSyncsTopic, positionsTopic } from '../../mm2/replication-policy.js';
import { mirrorRecordChannel, type SpanHandle } from '../../observability/trace-channels.js';
import { traceRecord } from '../record-trace.js';
import type { Conflicts } from '../conflicts/conflicts.js';
import { writeRepairs } from '../conflicts/repair-writer.js';
import { replayLwwTopics } from '../conflicts/replay.js';
import { lwwTopicProblems } from '../conflicts/topic-check.js';
import { OffsetSyncDecider } from './offset-sync-writer.js';
import { ownsPartition, type SourceTaskScope } from './task-scope.js';
import { PositionStore, type PositionWriter } from './position-store.js';
import { dataProducerFor, positionsInTransaction } from '../exactly-once/data-producer.js';
import { writeOwedSyncs } from '../exactly-once/owed-syncs.js';
import { transactionalIdFor } from '../exactly-once/transactional-id.js';
import { TransactionalProducer } from '../kafka/transactional-producer.js';
import type { OffsetSync } from '../../mm2/formats.js';
import { ensureCompactedTopic, TopicSync, type ReplicatedTopic } from './topics.js';

/** Largest record batch we build for one partition in one request (brokers accept ~1 MiB by default). */
const MAX_CHUNK_BYTES = 512 * 1024;

/** Data-loss events kept for the REST status (the newest; the metrics count all of them). */
const DATA_LOSS_KEPT = 100;

/** The Java producer's delivery.timeout.ms default: how long a batch is retried before giving up. */
const DELIVERY_TIMEOUT_MS = 120_000;

/**
 * Marks a promise that is awaited later (after the next fetch) as handled now: if it fails while
 * the fetch is pending, Node would otherwise see an unhandled rejection and end the whole process
 * (a fenced exactly-once task must fail alone). The later `await` still throws its error.
 */
function awaitedLater(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

export interface SourceTaskOptions {
  /** Active-active conflicts (detection, last-writer-wins), shared by the process's flows. */
  conflicts?: Conflicts;
  /**
   * In a mirror cluster: this task's identity, transactional id and partitions (task-scope.ts).
   * Without one the connector is the flow's only task: task 0, transactional id of the default group.
   */
  scope?: SourceTaskScope;
}

interface Chunk {
  batch: FetchBatch;
  targetTopic: string;
  records: FetchRecord[];
  builder: BatchBuilder;
  /** Replication spans of the chunk's records (tracing on only), ended on acknowledgement. */
  spans?: SpanHandle[];
}

export class MirrorSourceConnector extends Connector {
  private sourceKafka!: Kafka;
  private targetKafka!: Kafka;
  private sourceAdmin?: Admin;
  private targetAdmin?: Admin;
  /** kafkajs producer for the position store only (one small batch per commit interval). */
  private producer?: Producer;
  private syncProducer?: Producer;
  private dataProducer?: NativeProducer;
  /** The data producer when the flow runs exactly once. */
  private txn?: TransactionalProducer;
  private readonly conflicts?: Conflicts;
  private fetcher?: NativeFetcher;
  private positions?: PositionStore;
  private decider = new OffsetSyncDecider(0);
  private topics: ReplicatedTopic[] = [];
  private targetOf = new Map<string, string>();
  private cancelTimers: (() => void)[] = [];
  private syncsInFlight: Promise<unknown> = Promise.resolve();
  /** The first failed offset-sync send: later syncs would leave a hole, so none is sent after it. */
  private syncError: unknown;
  /** Records skipped because their path already contains the target (echo prevention). */
  skippedEchoes = 0;
  /** Source data this connector could not copy, newest last (kept across task restarts). */
  private readonly dataLoss: DataLossEvent[] = [];
  /** Whether this task copies a source partition (every partition without a task scope). */
  private readonly owns: (topic: string, partition: number) => boolean;

  constructor(
    flow: FlowConfig,
    private readonly sourceCluster: ClusterConfig,
    private readonly targetCluster: ClusterConfig,
    private readonly metrics: MirrorMetrics,
    log: Logger,
    workerId: string,
    private readonly options: SourceTaskOptions = {},
  ) {
    super('MirrorSourceConnector', flow, log, workerId);
    this.conflicts = options.conflicts;
    this.owns = ownsPartition(options.scope);
    this.taskId = options.scope?.task ?? 0;
  }

  /** Topic config and ACL sync are the connector's, not each task's (MM2): task 0 does them. */
  private get syncsTopicMetadata(): boolean {
    return (this.options.scope?.task ?? 0) === 0;
  }

  protected async run(): Promise<void> {
    const flow = this.flow;
    const policy = policyFor(flow);
    this.sourceKafka = kafkaFor(this.sourceCluster, `${flow.name}-source`, this.log);
    this.targetKafka = kafkaFor(this.targetCluster, `${flow.name}-source`, this.log);
    this.sourceAdmin = this.sourceKafka.admin();
    this.targetAdmin = this.targetKafka.admin();
    await Promise.all([this.sourceAdmin.connect(), this.targetAdmin.connect()]);
    const role = `${flow.name}-source`;
    // The data producer's connections to the target also read the position store back below,
    // before the first record is produced.
    const target = new NativeCluster(this.targetCluster, connectionOptions(this.targetCluster, role));
    this.dataProducer = dataProducerFor({
      target,
      flow,
      transactionalId: this.options.scope?.transactionalId ?? transactionalIdFor({ flow, task: 0 }),
      ackTimeoutMs: this.targetCluster.requestTimeoutMs,
      deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
      log: this.log,
    });
    this.txn = this.dataProducer instanceof TransactionalProducer ? this.dataProducer : undefined;
    // Exactly-once: this fences an earlier incarnation of the task and aborts its open transaction
    // (KIP-98), before the positions are read back.
    await this.dataProducer.init();
    let writePositions: PositionWriter;
    if (this.txn) writePositions = positionsInTransaction(this.txn);
    else {
      const producer = this.targetKafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      this.producer = producer;
      await producer.connect();
      writePositions = async (topic, records) => {
        await producer.send({ topic, acks: -1, messages: records.map((r) => ({ partition: 0, ...r })) });
      };
    }

    const syncsOnSource = flow.offsetSyncsTopicLocation === 'source';
    const syncsTopic = offsetSyncsTopic({ ...flow, location: flow.offsetSyncsTopicLocation });
    if (flow.emitOffsetSyncs) {
      const syncsKafka = syncsOnSource ? this.sourceKafka : this.targetKafka;
      await ensureCompactedTopic(
        syncsOnSource ? this.sourceAdmin : this.targetAdmin,
        syncsTopic,
        flow.offsetSyncsTopicReplicationFactor,
      );
      // Idempotent: a retried send must not write a sync twice (a repeated sync is a marker).
      this.syncProducer = syncsKafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await this.syncProducer.connect();
    }
    this.decider = new OffsetSyncDecider(flow.offsetLagMax);
    this.syncError = undefined;
    this.syncsInFlight = Promise.resolve();

    this.positions = new PositionStore(
      this.targetAdmin,
      writePositions,
      positionsTopic(flow.source),
      flow.offsetSyncsTopicReplicationFactor,
    );
    // read_committed: exactly-once positions are transactional (elsewhere the same as uncommitted).
    await this.positions.load(target, () => this.stopping, 'read_committed');

    const fetchBytes = Math.max(
      64 * 1024,
      Math.min(flow.fetchMaxBytes, Math.floor(flow.maxInFlightBytes / 2)),
    );
    const source = new NativeCluster(this.sourceCluster, connectionOptions(this.sourceCluster, role));
    if (this.txn && this.syncProducer) {
      const written = await writeOwedSyncs({
        owed: this.positions.owedSyncs(),
        cluster: syncsOnSource ? source : target,
        topic: syncsTopic,
        send: (syncs) => this.sendSyncsNow(syncs),
        isStopped: () => this.stopping,
      });
      if (written > 0)
        this.log.info(
          { connector: this.name, syncs: written },
          'offset syncs of the last transaction written',
        );
    }
    this.fetcher = new NativeFetcher(source, {
      maxBytes: fetchBytes,
      partitionMaxBytes: Math.min(fetchBytes, MAX_CHUNK_BYTES),
      maxWaitMs: flow.fetchMaxWaitMs,
      isolationLevel: this.sourceCluster.isolationLevel ?? 'read_committed',
      onOffsetReset: (r) => this.offsetReset(r),
    });
    for (const [topic, id] of this.positions.topicIds()) this.fetcher.expectTopicId(topic, id);
    const topicSync = new TopicSync(flow, policy, this.sourceAdmin, this.targetAdmin, this.log);
    await this.applyTopics(await topicSync.refresh());
    if (this.conflicts !== undefined) {
      const sources = this.topics.map((t) => t.source);
      const lww = sources.filter((t) => this.conflicts!.lwwTopic(t));
      for (const problem of await lwwTopicProblems(this.sourceAdmin, lww))
        this.log.warn({ connector: this.name, cluster: flow.source }, problem);
      const n = await replayLwwTopics(this.conflicts, flow, source, lww, () => this.stopping, {
        isolationLevel: this.sourceCluster.isolationLevel ?? 'read_committed',
      });
      if (n > 0) this.log.info({ connector: this.name, records: n }, 'last-writer-wins state read back');
    }
    if (flow.syncTopicConfigs && this.syncsTopicMetadata)
      await topicSync
        .syncConfigs(this.topics)
        .catch((err: unknown) => this.log.warn({ err: String(err) }, 'topic config sync failed'));
    if (flow.syncTopicAcls && this.syncsTopicMetadata)
      await topicSync
        .syncAcls(this.topics)
        .catch((err: unknown) => this.log.warn({ err: String(err) }, 'topic ACL sync failed'));

    this.cancelTimers = [
      this.every(flow.refreshTopicsIntervalMs, 'topic refresh', async () => {
        this.fetcher?.checkMetadata(); // also notices topics deleted and created again
        await this.applyTopics(await topicSync.refresh());
      }),
      this.every(this.syncsTopicMetadata ? flow.syncTopicConfigsIntervalMs : -1, 'topic config sync', () =>
        topicSync.syncConfigs(this.topics),
      ),
      this.every(this.syncsTopicMetadata ? flow.syncTopicAclsIntervalMs : -1, 'topic ACL sync', () =>
        topicSync.syncAcls(this.topics),
      ),
      // Exactly-once: positions go with every transaction, never from a timer beside them.
      this.every(this.txn ? -1 : flow.positionsCommitIntervalMs, 'position commit', () => this.commit()),
    ];
    this.log.info({ connector: this.name, topics: this.topics.map((t) => t.source) }, 'replicating');

    let inFlight: Promise<void> = Promise.resolve();
    try {
      while (
        await this.pausePoint(async () => {
          await inFlight;
          await this.commit();
        })
      ) {
        this.throwIfSyncsFailed();
        const batches = await this.fetcher.poll();
        if (this.isPaused) {
          // Paused while this fetch was in flight: forget it, fetch it again after resume.
          for (const b of batches) this.fetcher.seek(b.topic, b.partition, b.fetchOffset);
          continue;
        }
        const fetchedAt = Date.now();
        await inFlight; // at most one fetch result waits while another is being produced
        if (batches.length > 0) inFlight = awaitedLater(this.replicate(batches, fetchedAt));
        else if (this.txn && this.positions.unsettled)
          inFlight = awaitedLater(this.commitTransaction([], fetchedAt));
        else if (this.conflicts?.hasRepairs(this.flow.target))
          inFlight = awaitedLater(this.txn ? this.commitTransaction([], fetchedAt) : this.repair());
      }
      await inFlight;
      await this.commit();
    } catch (err) {
      await inFlight.catch(() => undefined);
      throw err;
    }
  }

  protected async cleanup(): Promise<void> {
    for (const cancel of this.cancelTimers) cancel();
    this.cancelTimers = [];
    await this.syncsInFlight.catch(() => undefined);
    await Promise.all([
      this.fetcher?.disconnect(),
      this.dataProducer?.close(),
      this.producer?.disconnect().catch(() => undefined),
      this.syncProducer?.disconnect().catch(() => undefined),
      this.sourceAdmin?.disconnect().catch(() => undefined),
      this.targetAdmin?.disconnect().catch(() => undefined),
    ]);
    this.fetcher = undefined;
    this.dataProducer = undefined;
    this.txn = undefined;
    this.producer = undefined;
    this.syncProducer = undefined;
  }

  /**
   * The fetcher had to move a position over data that was gone: say so (log, metrics, REST status)
   * instead of moving on silently. The offset syncs need nothing: the jump is a discontinuity like
   * any other, so translation stays exact for what was copied.
   */
  private offsetReset(r: OffsetReset): void {
    const reason = r.reason.replaceAll('-', '_') as DataLossEvent['reason'];
    const lost = r.reason === 'records-removed' ? r.to - r.from : 0n;
    const event: DataLossEvent = {
      topic: r.topic,
      partition: r.partition,
      reason,
      from: r.from.toString(),
      to: r.to.toString(),
      lost: lost.toString(),
      time: new Date().toISOString(),
    };
    this.dataLoss.push(event);
    if (this.dataLoss.length > DATA_LOSS_KEPT) this.dataLoss.shift();
    this.metrics.sourceOffsetReset(
      { source: this.flow.source, target: this.flow.target, topic: r.topic, partition: r.partition },
      reason,
      Number(lost),
    );
    const what =
      r.reason === 'records-removed'
        ? `source records ${r.from}..${r.to - 1n} were removed before the mirror copied them: they are lost for the target`
        : r.reason === 'topic-recreated'
          ? 'the source topic was deleted and created again: copying it again from its log start'
          : `the source partition now ends before the mirror's position ${r.from} (truncated or re-created): copying again from ${r.to}`;
    this.log.error({ connector: this.name, ...event }, what);
  }

  protected override statusExtras(): Partial<ConnectorStatus> {
    return this.dataLoss.length === 0 ? {} : { data_loss: [...this.dataLoss] };
  }

  /**
   * Starts fetching partitions that appeared (new topics, added partitions) and that this task owns;
   * in a mirror cluster the leader reassigns new partitions to some task.
   */
  private async applyTopics(topics: ReplicatedTopic[]): Promise<void> {
    this.topics = topics;
    for (const t of topics) {
      this.targetOf.set(t.source, t.target);
      for (let p = 0; p < t.partitions; p++) {
        if (!this.owns(t.source, p) || this.fetcher!.isAssigned(t.source, p)) continue;
        const position = this.positions!.get(t.source, p);
        if (position === undefined) this.decider.startsAtLogStart(t.source, p);
        await this.fetcher!.assign(t.source, p, position ?? null);
        this.metrics.sourcePartitionAssigned({
          source: this.flow.source,
          target: this.flow.target,
          topic: t.source,
          partition: p,
        });
      }
    }
  }

  /**
   * Commits the positions reached so far, after the offset syncs of every record before them are
   * written: exact translation relies on the syncs below a committed position being complete (a
   * restart re-mirrors from the position, and syncs are rebuilt from there).
   */
  private async commit(): Promise<void> {
    if (!this.positions) return;
    if (this.txn) return this.commitTransaction([], Date.now());
    const positions = this.positions.snapshot();
    this.decider.promoteDelayed();
    this.fireSyncs();
    await this.syncsInFlight;
    this.throwIfSyncsFailed();
    await this.positions.commit(positions);
  }

  private throwIfSyncsFailed(): void {
    if (this.syncError === undefined) return;
    // Retriable: the task restarts from its committed positions and writes the syncs again from there.
    throw Object.assign(new Error(`offset sync send failed: ${String(this.syncError)}`), { retriable: true });
  }

  /**
   * Sends the due syncs, in order, one send at a time; all syncs of one call go in one send (one
   * record batch, written whole or not at all, so a sync and its repeat are never split). MM2 logs
   * and drops a failed sync; here the failure stops the position commits and restarts the task,
   * because a hole in the syncs would make translation wrong rather than just less precise.
   */
  private fireSyncs(): void {
    this.sendSyncs(this.decider.drain());
  }

  private sendSyncs(syncs: OffsetSync[]): void {
    if (syncs.length === 0 || this.syncProducer === undefined) return;
    const producer = this.syncProducer;
    this.syncsInFlight = this.syncsInFlight.then(async () => {
      if (this.syncError !== undefined) return;
      try {
        await this.sendSyncsNow(syncs, producer);
      } catch (err) {
        this.syncError = err;
        this.log.warn({ connector: this.name, err: String(err) }, 'offset sync send failed; restarting');
      }
    });
  }

  /** Writes `syncs` to the offset-syncs topic in one send (one record batch: all or none). */
  private async sendSyncsNow(syncs: OffsetSync[], producer = this.syncProducer!): Promise<void> {
    const topic = offsetSyncsTopic({ ...this.flow, location: this.flow.offsetSyncsTopicLocation });
    await producer.send({
      topic,
      acks: -1,
      messages: syncs.map((s) => ({ partition: 0, ...encodeOffsetSync(s) })),
    });
  }

  /**
   * Exactly-once: completes the open transaction. The copies `acked` (chunk, base offset) decide
   * their offset syncs now (their target offsets are known), but the syncs are only stored with
   * the positions inside the transaction and written to the offset-syncs topic after the commit,
   * so no sync ever names a record of an aborted transaction. The previous transaction's syncs are
   * awaited before this one commits, which keeps every sync below a committed position written
   * except the last transaction's own (those travel with its positions: owed-syncs.ts).
   */
  private async commitTransaction(acked: [Chunk, bigint][], fetchedAt: number): Promise<void> {
    for (const [c, base] of acked)
      c.records.forEach((r, i) =>
        this.decider.record(c.batch.topic, c.batch.partition, r.offset, base + BigInt(i)),
      );
    this.decider.promoteDelayed();
    const owed = this.decider.drain();
    await this.repair();
    await this.syncsInFlight;
    this.throwIfSyncsFailed();
    await this.positions!.commit(this.positions!.snapshot(), owed);
    await this.txn!.commit();
    const ackedAt = Date.now();
    for (const [c, base] of acked) this.acknowledged(c, base, fetchedAt, ackedAt, false);
    this.sendSyncs(owed);
  }

  private async replicate(batches: FetchBatch[], fetchedAt: number): Promise<void> {
    const { source, target } = this.flow;
    const rounds: Chunk[][] = [];
    for (const batch of batches) {
      const targetTopic = this.targetOf.get(batch.topic) ?? batch.topic;
      const provenance = new ProvenanceStamper(source, target, batch.topic, batch.partition);
      let chunk: Chunk | undefined;
      let chunkBytes = 0;
      let index = 0;
      const watched = this.conflicts?.watches(this.flow, batch.topic) === true;
      for (const r of batch.records) {
        const echo = provenance.isEcho(r.headers);
        // Watched topics: conflict detection sees local writes, last-writer-wins sees every
        // record (echoes too) and keeps losing versions from being copied.
        if (watched ? !this.conflicts!.admit(this.flow, batch.topic, batch.partition, r, echo) : echo) {
          if (echo) this.skippedEchoes++;
          continue;
        }
        if (chunk === undefined || chunkBytes + r.size > MAX_CHUNK_BYTES) {
          chunk = { batch, targetTopic, records: [], builder: new BatchBuilder() };
          (rounds[index] ??= []).push(chunk);
          index++;
          chunkBytes = 0;
        }
        chunkBytes += r.size + 120;
        chunk.records.push(r);
        let headers = provenance.stamp(r.headers, r.offset);
        if (mirrorRecordChannel.hasSubscribers) {
          const { source: sourceCluster, target: targetCluster } = this.flow;
          const spans = (chunk.spans ??= []);
          headers = traceRecord({
            sourceCluster,
            targetCluster,
            sourceTopic: batch.topic,
            targetTopic,
            partition: batch.partition,
            record: r,
            headers,
            spans,
          });
        }
        chunk.builder.add(r.timestamp, r.key, r.value, headers);
      }
    }
    // One round = at most one chunk per partition: one batch per partition in flight (idempotence).
    const inTransaction: [Chunk, bigint][] = [];
    for (const round of rounds) {
      const offsets = await this.dataProducer!.send(
        round.map((c) => ({ topic: c.targetTopic, partition: c.batch.partition, batch: c.builder })),
      );
      const ackedAt = Date.now();
      if (this.txn) round.forEach((c, i) => inTransaction.push([c, offsets[i]!]));
      else round.forEach((c, i) => this.acknowledged(c, offsets[i]!, fetchedAt, ackedAt));
    }
    for (const b of batches)
      this.positions!.advance(b.topic, b.partition, b.nextOffset, this.fetcher?.topicIdOf(b.topic));
    if (this.txn) return this.commitTransaction(inTransaction, fetchedAt);
    this.fireSyncs();
    await this.repair();
  }

  /** Writes the last-writer-wins winners the target's log tail lacks (mirror/conflicts/lww.ts). */
  private async repair(): Promise<void> {
    const repairs = this.conflicts?.takeRepairs(this.flow.target) ?? [];
    if (repairs.length === 0) return;
    try {
      const written = await writeRepairs(this.dataProducer!, repairs, this.flow.source);
      this.conflicts!.repaired(this.flow.target, written);
    } catch (err) {
      this.conflicts!.requeue(this.flow.target, repairs); // the restarted task writes them
      throw err;
    }
  }

  private acknowledged(
    c: Chunk,
    baseOffset: bigint,
    fetchedAt: number,
    ackedAt: number,
    decideSyncs = true, // exactly-once decides them before the commit (commitTransaction)
  ): void {
    for (const span of c.spans ?? []) span.end();
    const { source, target } = this.flow;
    let bytes = 0;
    const ages: number[] = [];
    for (let i = 0; i < c.records.length; i++) {
      const r = c.records[i]!;
      if (decideSyncs)
        this.decider.record(c.batch.topic, c.batch.partition, r.offset, baseOffset + BigInt(i));
      const ts = r.timestamp;
      bytes += r.size;
      ages.push(fetchedAt - ts);
      this.metrics.recordReplicated(
        source,
        target,
        c.batch.topic,
        c.batch.partition,
        r.size,
        fetchedAt - ts,
        ackedAt - ts,
        ackedAt,
      );
    }
    this.metrics.batchReplicated(
      source,
      target,
      c.batch.topic,
      c.batch.partition,
      c.records.length,
      bytes,
      ages,
      ackedAt - fetchedAt,
    );
  }
}
