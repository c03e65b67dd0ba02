/**
 * Manual-assignment fetching (no consumer group) on the project's own codec: the caller decides each
 * partition's position; one `poll()` sends one Fetch per partition leader and returns what came
 * back; the caller applies backpressure by not polling. Used by the mirror's native data path and
 * the gateway's security-topic tail.
 *
 * Fetch v4–v12 (topic names; v12 is the last version without topic ids), no fetch sessions, with
 * the isolation level asked for (default READ_UNCOMMITTED, like MM2's consumer). Record batches are
 * walked with scanBatches and decoded with decodeRecordBatch (CRC-32C verified, as the Java
 * consumer's check.crcs does); control batches (transaction markers) are skipped; key, value and
 * header values stay views into the response.
 *
 * READ_COMMITTED: the broker answers up to the last stable offset and lists the aborted
 * transactions of the range it returned (producer id, first offset); batches of an aborted
 * transaction are dropped the way Kafka's consumer does it (CompletedFetch.nextFetchedRecord): a
 * producer id joins the aborted set when a batch reaches its aborted transaction's first offset,
 * its transactional batches are skipped while it is in the set, and its ABORT marker takes it out.
 *
 * Leader changes refresh metadata; OFFSET_OUT_OF_RANGE restarts at the earliest offset (MM2's
 * auto.offset.reset=earliest), and so does a topic whose id changed (deleted and created again under
 * the same name). Each such jump is reported to `onOffsetReset`, with why: records removed before
 * they were read (retention, DeleteRecords), or offsets gone backwards (the log now ends before the
 * position: truncated or re-created), or the topic re-created.
 */
import { ErrorCode, errorName } from '../protocol/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKey } from '../protocol/generated/api-keys.js';
import { ZERO_UUID } from '../protocol/runtime/reader.js';
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  type FetchResponse,
} from '../protocol/generated/messages.js';
import {
  BatchAttributes,
  batchHeader,
  ControlRecordType,
  controlRecordType,
  decodeRecordBatch,
  scanBatches,
  type RecordHeader,
} from '../protocol/records/batch.js';
import { tpKey, type ClusterClient } from './cluster.js';
import { ConnectionError } from './connection.js';
import { KafkaPartitionError, STALE_METADATA } from './kafka-errors.js';

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface FetcherOptions {
  maxBytes: number;
  partitionMaxBytes: number;
  maxWaitMs: number;
  /** Kafka's consumer isolation.level; default read_uncommitted. */
  isolationLevel?: IsolationLevel;
  /** Hears every position the fetcher had to move because the data there is gone. */
  onOffsetReset?: (reset: OffsetReset) => void;
}

export interface OffsetReset {
  topic: string;
  partition: number;
  /**
   * records-removed: `from` is below the log start: [from, to) were deleted before being read;
   * offsets-went-backwards: the log now ends at or before `from` (truncated, or re-created);
   * topic-recreated: the topic's id changed, reading starts again at its log start.
   */
  reason: 'records-removed' | 'offsets-went-backwards' | 'topic-recreated';
  /** The position that could no longer be read. */
  from: bigint;
  /** Where reading resumes: the log start. */
  to: bigint;
}

type AbortedTransaction = { producerId: bigint; firstOffset: bigint };

/** One data record as fetched: buffers are views into the Fetch response (do not mutate). */
export interface FetchRecord {
  offset: bigint;
  /** Milliseconds since the epoch (CreateTime, or the batch's LogAppendTime). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Key + value + header bytes (header keys counted in characters). */
  size: number;
}

export interface FetchBatch {
  topic: string;
  partition: number;
  /** The position this batch was fetched from. */
  fetchOffset: bigint;
  /** Data records (control records and, read_committed, aborted ones removed), in offset order. */
  records: FetchRecord[];
  /** Where the next fetch starts: one past the last offset returned, control batches included. */
  nextOffset: bigint;
  highWatermark: bigint;
}

interface Assignment {
  topic: string;
  partition: number;
  offset: bigint;
  maxBytes: number;
}

const ISOLATION_READ_UNCOMMITTED = 0;
const ISOLATION_READ_COMMITTED = 1;
const EARLIEST_TIMESTAMP = -2n;
const LATEST_TIMESTAMP = -1n;
const OFFSET_OUT_OF_RANGE = 1;

export class NativeFetcher {
  private readonly assignments = new Map<string, Assignment>();
  private metadataStale = true;
  /** Topic ids from the last metadata answer, to notice a topic deleted and created again. */
  private readonly topicIds = new Map<string, string>();

  constructor(
    private readonly cluster: ClusterClient,
    private readonly opts: FetcherOptions,
  ) {}

  /** Starts fetching a partition at `offset`, or at its earliest offset when null. */
  async assign(topic: string, partition: number, offset: bigint | null): Promise<void> {
    const start = offset ?? (await this.earliest(topic, partition));
    this.assignments.set(tpKey(topic, partition), {
      topic,
      partition,
      offset: start,
      maxBytes: this.opts.partitionMaxBytes,
    });
    this.metadataStale = true;
  }

  /** Moves an assigned partition's fetch position. */
  seek(topic: string, partition: number, offset: bigint): void {
    const a = this.assignments.get(tpKey(topic, partition));
    if (a) a.offset = offset;
  }

  unassign(topic: string, partition: number): void {
    this.assignments.delete(tpKey(topic, partition));
  }

  isAssigned(topic: string, partition: number): boolean {
    return this.assignments.has(tpKey(topic, partition));
  }

  /**
   * The id `topic` is expected to have (e.g. stored with a position before a restart): if metadata
   * shows another, the topic was deleted and created again, reported like one noticed while running.
   */
  expectTopicId(topic: string, topicId: string): void {
    if (!this.topicIds.has(topic)) this.topicIds.set(topic, topicId);
  }

  /** The topic's id from the last metadata answer (undefined before it, or from pre-2.8 brokers). */
  topicIdOf(topic: string): string | undefined {
    return this.topicIds.get(topic);
  }

  position(topic: string, partition: number): bigint | undefined {
    return this.assignments.get(tpKey(topic, partition))?.offset;
  }

  get size(): number {
    return this.assignments.size;
  }

  disconnect(): void {
    this.cluster.close();
  }

  async poll(): Promise<FetchBatch[]> {
    if (this.assignments.size === 0) {
      await sleep(Math.min(this.opts.maxWaitMs, 200));
      return [];
    }
    if (this.metadataStale) await this.refreshMetadata();
    const byLeader = new Map<number, Assignment[]>();
    for (const a of this.assignments.values()) {
      const leader = this.cluster.leaderOf(a.topic, a.partition);
      if (leader === undefined) {
        this.metadataStale = true;
        continue;
      }
      const list = byLeader.get(leader);
      if (list) list.push(a);
      else byLeader.set(leader, [a]);
    }
    if (byLeader.size === 0) {
      await sleep(200); // no leader known for anything yet (topic just created, election running)
      return [];
    }
    const results = await Promise.allSettled(
      [...byLeader.entries()].map(([leader, list]) => this.fetchFrom(leader, list)),
    );
    const batches: FetchBatch[] = [];
    let failed = false;
    for (const r of results) {
      if (r.status === 'fulfilled') batches.push(...r.value);
      else if (r.reason instanceof ConnectionError) {
        failed = true;
        this.metadataStale = true;
      } else throw r.reason;
    }
    // Errors answer at once: without a pause, a leader election would be polled in a tight loop.
    if (batches.length === 0 && (failed || this.metadataStale)) await sleep(failed ? 200 : 100);
    return batches;
  }

  /** Asks for metadata again before the next fetch (e.g. periodically, to notice re-created topics). */
  checkMetadata(): void {
    this.metadataStale = true;
  }

  private async refreshMetadata(): Promise<void> {
    this.metadataStale = false;
    let topics;
    try {
      topics = await this.cluster.refresh([...this.assignments.values()].map((a) => a.topic));
    } catch {
      this.metadataStale = true;
      return;
    }
    for (const t of topics) {
      if (t.name === null || t.errorCode !== ErrorCode.NONE || t.topicId === ZERO_UUID) continue;
      const known = this.topicIds.get(t.name);
      this.topicIds.set(t.name, t.topicId);
      if (known === undefined || known === t.topicId) continue;
      for (const a of this.assignments.values()) {
        if (a.topic !== t.name) continue;
        const from = a.offset;
        a.offset = await this.earliest(a.topic, a.partition).catch(() => 0n);
        this.opts.onOffsetReset?.({
          topic: a.topic,
          partition: a.partition,
          reason: 'topic-recreated',
          from,
          to: a.offset,
        });
      }
    }
  }

  private async fetchFrom(leader: number, list: Assignment[]): Promise<FetchBatch[]> {
    let conn;
    try {
      conn = await this.cluster.connection(leader);
    } catch (e) {
      this.cluster.drop(leader);
      throw e instanceof ConnectionError
        ? e
        : new ConnectionError(String(e), { host: `node ${leader}`, port: 0 });
    }
    const version = conn.version(ApiKey.Fetch, 4, 12);
    const byTopic = new Map<string, Assignment[]>();
    for (const a of list) {
      const parts = byTopic.get(a.topic);
      if (parts) parts.push(a);
      else byTopic.set(a.topic, [a]);
    }
    const request = defaultFetchRequest();
    request.maxWaitMs = this.opts.maxWaitMs;
    request.minBytes = 1;
    request.maxBytes = this.opts.maxBytes;
    request.isolationLevel = this.readCommitted ? ISOLATION_READ_COMMITTED : ISOLATION_READ_UNCOMMITTED;
    request.topics = [...byTopic.entries()].map(([topic, parts]) => ({
      topic,
      topicId: ZERO_UUID,
      partitions: parts.map((a) => ({
        ...defaultFetchRequestFetchPartition(),
        partition: a.partition,
        fetchOffset: a.offset,
        partitionMaxBytes: a.maxBytes,
      })),
    }));
    // Positions sent with the request: a seek while it is in flight makes its answer stale.
    const sent = new Map(list.map((a) => [a, a.offset]));
    let response: FetchResponse;
    try {
      response = await conn.request(ApiKey.Fetch, version, request);
    } catch (e) {
      if (e instanceof ConnectionError) this.cluster.drop(leader);
      throw e;
    }
    if (response.errorCode !== ErrorCode.NONE)
      throw new Error(`Fetch from broker ${leader}: ${errorName(response.errorCode)}`);
    const out: FetchBatch[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const a = this.assignments.get(tpKey(t.topic, p.partitionIndex));
        if (a === undefined || sent.get(a) !== a.offset) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          await this.resetOutOfRange(a);
          continue;
        }
        if (STALE_METADATA.has(p.errorCode)) {
          this.metadataStale = true;
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE)
          throw new KafkaPartitionError(p.errorCode, a.topic, a.partition, 'fetch from', false);
        const aborted = this.readCommitted ? (p.abortedTransactions ?? []) : [];
        const batch = await this.collect(a, p.records, p.highWatermark, aborted);
        if (batch) out.push(batch);
      }
    }
    return out;
  }

  /** Decodes one partition's records; advances its position past everything returned. */
  private get readCommitted(): boolean {
    return this.opts.isolationLevel === 'read_committed';
  }

  private async collect(
    a: Assignment,
    raw: Buffer | null,
    highWatermark: bigint,
    abortedTransactions: readonly AbortedTransaction[],
  ): Promise<FetchBatch | undefined> {
    const fetchOffset = a.offset;
    const { batches } = scanBatches(raw);
    if (batches.length === 0) {
      // Nothing whole came back although data exists: a batch bigger than maxBytes. Ask for more.
      if (highWatermark > fetchOffset && raw !== null && raw.length > 0)
        a.maxBytes = Math.min(a.maxBytes * 2, 64 * 1024 * 1024);
      return undefined;
    }
    a.maxBytes = this.opts.partitionMaxBytes;
    const records: FetchRecord[] = [];
    const aborted = [...abortedTransactions].sort((x, y) => (x.firstOffset < y.firstOffset ? -1 : 1));
    const abortedProducers = new Set<bigint>();
    let nextAborted = 0;
    let next = fetchOffset;
    for (const b of batches) {
      if (b.magic !== 2)
        throw new Error(
          `${a.topic}-${a.partition} at offset ${b.baseOffset}: message format v${b.magic} (pre-0.11) is not supported`,
        );
      const { lastOffset, attributes, producerId } = batchHeader(b.bytes);
      if (lastOffset < fetchOffset) continue; // the broker returns whole batches: this one was read before
      if (lastOffset + 1n > next) next = lastOffset + 1n;
      const control = (attributes & BatchAttributes.control) !== 0;
      if (this.readCommitted && producerId >= 0n) {
        while (nextAborted < aborted.length && aborted[nextAborted]!.firstOffset <= lastOffset)
          abortedProducers.add(aborted[nextAborted++]!.producerId);
        if (control) {
          if (controlRecordType(await decodeRecordBatch(b.bytes)) === ControlRecordType.abort)
            abortedProducers.delete(producerId);
          continue;
        }
        if ((attributes & BatchAttributes.transactional) !== 0 && abortedProducers.has(producerId)) continue;
      }
      if (control) continue;
      const batch = await decodeRecordBatch(b.bytes);
      const logAppend = (attributes & BatchAttributes.timestampTypeLogAppend) !== 0;
      const baseTimestamp = Number(logAppend ? batch.maxTimestamp : batch.baseTimestamp);
      for (const r of batch.records) {
        const offset = b.baseOffset + BigInt(r.offsetDelta);
        if (offset < fetchOffset) continue;
        let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
        for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0);
        records.push({
          offset,
          timestamp: logAppend ? baseTimestamp : baseTimestamp + r.timestampDelta,
          key: r.key,
          value: r.value,
          headers: r.headers,
          size,
        });
      }
    }
    if (next === fetchOffset) return undefined;
    a.offset = next;
    return { topic: a.topic, partition: a.partition, fetchOffset, records, nextOffset: next, highWatermark };
  }

  /** OFFSET_OUT_OF_RANGE: restart at the log start, and say what happened to the position. */
  private async resetOutOfRange(a: Assignment): Promise<void> {
    const from = a.offset;
    const to = await this.earliest(a.topic, a.partition);
    a.offset = to;
    if (from === to) return;
    const end = from < to ? undefined : await this.latest(a.topic, a.partition).catch(() => undefined);
    if (end !== undefined && from >= to && from <= end) return; // in range after all (a race): nothing lost
    this.opts.onOffsetReset?.({
      topic: a.topic,
      partition: a.partition,
      reason: from < to ? 'records-removed' : 'offsets-went-backwards',
      from,
      to,
    });
  }

  /** The partition's log start offset, asked of its leader (ListOffsets, timestamp -2). */
  private earliest(topic: string, partition: number): Promise<bigint> {
    return this.offsetAt(topic, partition, EARLIEST_TIMESTAMP);
  }

  /** The partition's log end offset (ListOffsets, timestamp -1). */
  private latest(topic: string, partition: number): Promise<bigint> {
    return this.offsetAt(topic, partition, LATEST_TIMESTAMP);
  }

  private async offsetAt(topic: string, partition: number, timestamp: bigint): Promise<bigint> {
    try {
      return await this.askOffset(topic, partition, timestamp);
    } catch (e) {
      // The cached leader may be dead or moved. poll() refreshes only assigned partitions' leaders,
      // so a partition being assigned would keep asking the same broker: look it up again now.
      await this.cluster.refresh([topic]).catch(() => undefined);
      throw e;
    }
  }

  private async askOffset(topic: string, partition: number, timestamp: bigint): Promise<bigint> {
    const what = timestamp === EARLIEST_TIMESTAMP ? 'earliest offset of' : 'latest offset of';
    let leader = this.cluster.leaderOf(topic, partition);
    if (leader === undefined) {
      await this.cluster.refresh([topic]);
      leader = this.cluster.leaderOf(topic, partition);
      if (leader === undefined)
        throw new KafkaPartitionError(ErrorCode.LEADER_NOT_AVAILABLE, topic, partition, what, true);
    }
    const conn = await this.cluster.connection(leader);
    const response = await conn.request(ApiKey.ListOffsets, conn.version(ApiKey.ListOffsets, 1, 7), {
      replicaId: -1,
      isolationLevel: ISOLATION_READ_UNCOMMITTED,
      timeoutMs: 0,
      topics: [
        {
          name: topic,
          partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }],
        },
      ],
    });
    const p = response.topics[0]?.partitions[0];
    if (p === undefined) throw new Error(`ListOffsets ${topic}-${partition}: empty answer`);
    if (p.errorCode !== ErrorCode.NONE) {
      if (STALE_METADATA.has(p.errorCode)) this.metadataStale = true;
      throw new KafkaPartitionError(p.errorCode, topic, partition, what, STALE_METADATA.has(p.errorCode));
    }
    return p.offset;
  }
}
