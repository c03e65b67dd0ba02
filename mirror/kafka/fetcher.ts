/**
 * Manual-assignment fetching (no consumer group): the mirror decides each partition's position and
 * asks each partition leader directly. One `poll()` sends one Fetch per leader and returns what came
 * back; the caller applies backpressure simply by not polling again until it has room.
 */
import type { Admin, Kafka } from 'kafkajs';
import { tpKey } from '../../protocol/client/cluster.js';
import { sleep, type FetcherOptions } from '../../protocol/client/fetcher.js';
import type { Headers } from '../provenance.js';
import { ISOLATION_READ_UNCOMMITTED, rawCluster, type RawCluster, type RawFetchResponse } from './raw.js';

export { sleep, tpKey, type FetcherOptions };

export interface FetchedRecord {
  offset: bigint;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  /** Approximate size on the wire: key + value + header bytes. */
  size: number;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  /** The position this batch was fetched from. */
  fetchOffset: bigint;
  /** Data records (control records removed), in offset order. */
  records: FetchedRecord[];
  /** Where the next fetch starts: one past the last offset returned, control records included. */
  nextOffset: bigint;
  highWatermark: bigint;
}

interface Assignment {
  topic: string;
  partition: number;
  offset: bigint;
  maxBytes: number;
}

export class PartitionFetcher {
  readonly cluster: RawCluster;
  private readonly assignments = new Map<string, Assignment>();
  private knownTopics = new Set<string>();
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly admin: Admin,
    private readonly opts: FetcherOptions,
  ) {
    this.cluster = rawCluster(kafka);
  }

  async connect(): Promise<void> {
    if (!this.connected) await this.cluster.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.cluster.disconnect().catch(() => undefined);
    this.connected = false;
  }

  /** Starts fetching a partition at `offset`, or at its earliest offset when null. */
  async assign(topic: string, partition: number, offset: bigint | null): Promise<void> {
    const start = offset ?? (await this.earliest(topic, partition));
    this.assignments.set(tpKey(topic, partition), {
      topic,
      partition,
      offset: start,
      maxBytes: this.opts.partitionMaxBytes,
    });
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

  position(topic: string, partition: number): bigint | undefined {
    return this.assignments.get(tpKey(topic, partition))?.offset;
  }

  get size(): number {
    return this.assignments.size;
  }

  private async earliest(topic: string, partition: number): Promise<bigint> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    const p = offsets.find((o) => o.partition === partition);
    return BigInt(p?.low ?? '0');
  }

  async poll(): Promise<PartitionBatch[]> {
    await this.connect();
    if (this.assignments.size === 0) {
      await sleep(Math.min(this.opts.maxWaitMs, 200));
      return [];
    }
    const topics = new Set([...this.assignments.values()].map((a) => a.topic));
    if ([...topics].some((t) => !this.knownTopics.has(t))) {
      await this.cluster.addMultipleTargetTopics([...topics]);
      this.knownTopics = topics;
    }
    const byLeader = new Map<number, Assignment[]>();
    let missingLeader = false;
    for (const a of this.assignments.values()) {
      const meta = this.cluster
        .findTopicPartitionMetadata(a.topic)
        .find((p) => p.partitionId === a.partition);
      if (meta === undefined || meta.leader < 0) {
        missingLeader = true;
        continue;
      }
      const list = byLeader.get(meta.leader) ?? [];
      list.push(a);
      byLeader.set(meta.leader, list);
    }
    if (missingLeader) await this.cluster.refreshMetadata().catch(() => undefined);
    const results = await Promise.allSettled(
      [...byLeader.entries()].map(async ([leader, list]) => {
        const broker = await this.cluster.findBroker({ nodeId: leader });
        const topicsReq = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
        for (const a of list) {
          const parts = topicsReq.get(a.topic) ?? [];
          parts.push({ partition: a.partition, fetchOffset: a.offset.toString(), maxBytes: a.maxBytes });
          topicsReq.set(a.topic, parts);
        }
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: ISOLATION_READ_UNCOMMITTED,
          maxWaitTime: this.opts.maxWaitMs,
          minBytes: 1,
          maxBytes: this.opts.maxBytes,
          topics: [...topicsReq.entries()].map(([topic, partitions]) => ({ topic, partitions })),
        });
        return { response, list };
      }),
    );
    const batches: PartitionBatch[] = [];
    let failed = false;
    for (const r of results) {
      if (r.status === 'rejected') {
        failed = true;
        await this.onFetchError(r.reason);
        continue;
      }
      batches.push(...this.collect(r.value.response));
    }
    if (failed && batches.length === 0) await sleep(200);
    return batches;
  }

  private collect(response: RawFetchResponse): PartitionBatch[] {
    const out: PartitionBatch[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const a = this.assignments.get(tpKey(t.topicName, p.partition));
        if (a === undefined) continue;
        const fetchOffset = a.offset;
        const hw = BigInt(p.highWatermark);
        const raw = p.messages.filter((m) => BigInt(m.offset) >= fetchOffset);
        if (raw.length === 0) {
          // Nothing whole came back although data exists: a batch bigger than maxBytes. Ask for more.
          if (hw > fetchOffset && p.messages.length === 0)
            a.maxBytes = Math.min(a.maxBytes * 2, 64 * 1024 * 1024);
          continue;
        }
        a.maxBytes = this.opts.partitionMaxBytes;
        const records: FetchedRecord[] = [];
        for (const m of raw) {
          if (m.isControlRecord) continue;
          let size = (m.key?.length ?? 0) + (m.value?.length ?? 0);
          const headers: Headers = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) {
            if (v === undefined) continue;
            headers[k] = v;
            size += k.length + (Array.isArray(v) ? v.reduce((s, b) => s + b.length, 0) : v.length);
          }
          records.push({
            offset: BigInt(m.offset),
            timestamp: m.timestamp,
            key: m.key,
            value: m.value,
            headers,
            size,
          });
        }
        const nextOffset = BigInt(raw[raw.length - 1]!.offset) + 1n;
        a.offset = nextOffset;
        out.push({
          topic: t.topicName,
          partition: p.partition,
          fetchOffset,
          records,
          nextOffset,
          highWatermark: hw,
        });
      }
    }
    return out;
  }

  private async onFetchError(err: unknown): Promise<void> {
    const e = err as { type?: string; topic?: string; partition?: number; message?: string };
    if (e.type === 'OFFSET_OUT_OF_RANGE' && e.topic !== undefined && e.partition !== undefined) {
      // MM2's consumers use auto.offset.reset=earliest.
      const a = this.assignments.get(tpKey(e.topic, e.partition));
      if (a) a.offset = await this.earliest(e.topic, e.partition).catch(() => a.offset);
      return;
    }
    await this.cluster.refreshMetadata().catch(() => undefined);
  }
}

/**
 * Reads every record of a topic from its earliest offset up to the end as of the call, calling
 * `onRecord` in offset order per partition.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  onRecord: (partition: number, record: FetchedRecord) => void,
): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const fetcher = new PartitionFetcher(kafka, admin, {
    maxBytes: 16 << 20,
    partitionMaxBytes: 4 << 20,
    maxWaitMs: 100,
  });
  const end = new Map<number, bigint>();
  try {
    for (const o of offsets) {
      if (BigInt(o.high) > BigInt(o.low)) {
        end.set(o.partition, BigInt(o.high));
        await fetcher.assign(topic, o.partition, BigInt(o.low));
      }
    }
    while (fetcher.size > 0) {
      for (const b of await fetcher.poll()) {
        for (const r of b.records) if (r.offset < end.get(b.partition)!) onRecord(b.partition, r);
        if (b.nextOffset >= end.get(b.partition)!) fetcher.unassign(topic, b.partition);
      }
    }
  } finally {
    await fetcher.disconnect();
  }
}
