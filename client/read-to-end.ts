/**
 * A topic's offset range and a one-shot read of everything in it, on ClusterClient + NativeFetcher
 * (no consumer group). For small state topics replayed at start (the mirror's positions and
 * checkpoints); `topicOffsets` also gives a tail its starting point.
 *
 * Offsets are asked of each partition's leader (ListOffsets, READ_UNCOMMITTED by default: the end is
 * the high watermark, which is where the fetcher's reads stop too; READ_COMMITTED: the end is the last
 * stable offset, and the read drops aborted transactions as Kafka's consumer does — for state written
 * by a transactional producer, KIP-98). A topic created a moment ago may not have
 * leaders yet: stale-metadata answers and lost connections are retried until `retryForMs`, then the
 * last error is thrown (retriable).
 */
import { ErrorCode } from '../protocol/errors.js';
import { ApiKey } from '../protocol/generated/api-keys.js';
import type { ClusterClient } from './cluster.js';
import { ConnectionError } from './connection.js';
import { NativeFetcher, type FetchRecord, type IsolationLevel } from './fetcher.js';
import { KafkaPartitionError, STALE_METADATA } from './kafka-errors.js';
import { withRetries } from './retry.js';

export interface PartitionOffsets {
  partition: number;
  /** Log start offset. */
  low: bigint;
  /** High watermark: one past the last readable offset. */
  high: bigint;
}

export interface ReadToEndOptions {
  /** How long retriable errors (no leader yet, lost connections) are retried. Default 30 s. */
  retryForMs?: number;
  /** Checked between polls: when it returns true the read stops with an error. */
  isStopped?: () => boolean;
  /** Default read_uncommitted; read_committed reads to the last stable offset, aborted data left out. */
  isolationLevel?: IsolationLevel;
}

const ISOLATION_READ_UNCOMMITTED = 0;
const ISOLATION_READ_COMMITTED = 1;
const EARLIEST_TIMESTAMP = -2n;
const LATEST_TIMESTAMP = -1n;

const retriable = (e: unknown): boolean =>
  e instanceof ConnectionError || (e instanceof KafkaPartitionError && e.retriable);

/** The partitions of `topic`, from the Metadata request that also refreshes the cluster's leaders. */
async function partitionsOf(cluster: ClusterClient, topic: string): Promise<number[]> {
  const t = (await cluster.refresh([topic])).find((x) => x.name === topic);
  if (t === undefined)
    throw new KafkaPartitionError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic, -1, 'metadata of', true);
  if (t.errorCode !== ErrorCode.NONE)
    throw new KafkaPartitionError(t.errorCode, topic, -1, 'metadata of', STALE_METADATA.has(t.errorCode));
  return t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
}

/** One ListOffsets round: `timestamp` (-2 earliest, -1 latest) for every partition, per leader. */
async function listOffsets(
  cluster: ClusterClient,
  topic: string,
  partitions: number[],
  timestamp: bigint,
  isolationLevel: IsolationLevel = 'read_uncommitted',
): Promise<Map<number, bigint>> {
  const byLeader = new Map<number, number[]>();
  for (const p of partitions) {
    const leader = cluster.leaderOf(topic, p);
    if (leader === undefined)
      throw new KafkaPartitionError(ErrorCode.LEADER_NOT_AVAILABLE, topic, p, 'offsets of', true);
    const list = byLeader.get(leader);
    if (list) list.push(p);
    else byLeader.set(leader, [p]);
  }
  const out = new Map<number, bigint>();
  for (const [leader, list] of byLeader) {
    let response;
    try {
      const conn = await cluster.connection(leader);
      response = await conn.request(ApiKey.ListOffsets, conn.version(ApiKey.ListOffsets, 1, 7), {
        replicaId: -1,
        isolationLevel:
          isolationLevel === 'read_committed' ? ISOLATION_READ_COMMITTED : ISOLATION_READ_UNCOMMITTED,
        timeoutMs: 0,
        topics: [
          {
            name: topic,
            partitions: list.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
          },
        ],
      });
    } catch (e) {
      if (e instanceof ConnectionError) cluster.drop(leader);
      throw e;
    }
    for (const p of response.topics[0]?.partitions ?? []) {
      if (p.errorCode !== ErrorCode.NONE)
        throw new KafkaPartitionError(
          p.errorCode,
          topic,
          p.partitionIndex,
          'offsets of',
          STALE_METADATA.has(p.errorCode),
        );
      out.set(p.partitionIndex, p.offset);
    }
  }
  for (const p of partitions)
    if (!out.has(p))
      throw new KafkaPartitionError(ErrorCode.LEADER_NOT_AVAILABLE, topic, p, 'offsets of', true);
  return out;
}

/** Every partition's log start offset and high watermark, in partition order. */
export function topicOffsets(
  cluster: ClusterClient,
  topic: string,
  opts: ReadToEndOptions = {},
): Promise<PartitionOffsets[]> {
  return withRetries({ retryForMs: opts.retryForMs ?? 30_000, isRetriable: retriable }, async () => {
    const partitions = await partitionsOf(cluster, topic);
    const low = await listOffsets(cluster, topic, partitions, EARLIEST_TIMESTAMP);
    const high = await listOffsets(cluster, topic, partitions, LATEST_TIMESTAMP, opts.isolationLevel);
    return partitions.map((partition) => ({
      partition,
      low: low.get(partition)!,
      high: high.get(partition)!,
    }));
  });
}

/**
 * Reads every record of `topic` from its earliest offset up to its end as of the call, calling
 * `onRecord` in offset order per partition. Record buffers are views into Fetch responses: copy what
 * is kept. The cluster stays open (the caller owns it).
 */
export async function readTopicToEnd(
  cluster: ClusterClient,
  topic: string,
  onRecord: (partition: number, record: FetchRecord) => void,
  opts: ReadToEndOptions = {},
): Promise<void> {
  const offsets = await topicOffsets(cluster, topic, opts);
  const fetcher = new NativeFetcher(cluster, {
    maxBytes: 16 << 20,
    partitionMaxBytes: 4 << 20,
    maxWaitMs: 100,
    isolationLevel: opts.isolationLevel ?? 'read_uncommitted',
  });
  const end = new Map<number, bigint>();
  for (const o of offsets) {
    if (o.high <= o.low) continue;
    end.set(o.partition, o.high);
    await fetcher.assign(topic, o.partition, o.low);
  }
  while (fetcher.size > 0) {
    if (opts.isStopped?.()) throw new Error(`reading ${topic}: stopped`);
    for (const b of await fetcher.poll()) {
      const stop = end.get(b.partition)!;
      for (const r of b.records) if (r.offset < stop) onRecord(b.partition, r);
      if (b.nextOffset >= stop) fetcher.unassign(topic, b.partition);
    }
  }
}
