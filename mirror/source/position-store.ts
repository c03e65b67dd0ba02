/**
 * Where a flow's source positions live: the compacted topic kgw-mirror-offsets.<source>.internal on
 * the TARGET cluster, so positions and the data they describe are acknowledged by the same cluster.
 * Key: JSON ["<source topic>", <partition>]; value: JSON {"offset": "<next offset to read>",
 * "topicId": "<the source topic's id>"} (topicId absent in positions written before it was stored).
 * A position is only written after the target acknowledged every record before it. The topic id lets
 * a restarted mirror notice a source topic deleted and created again while it was down (the fetcher
 * is told the id to expect; a different one is reported as topic-recreated), even when the new
 * topic already has more records than the stored position.
 *
 * Exactly-once mode (docs/mirror.md): positions are written by the transactional producer inside the
 * transaction of the records they cover, and read back read_committed, so a position is visible
 * exactly when its records are. Such a value may also carry "syncs": [["<upstream>", "<downstream>"],
 * …], the offset syncs that transaction owes (written to the offset-syncs topic only after the
 * commit; mirror/exactly-once/owed-syncs.ts writes them at start if the process died before).
 */
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import type { IsolationLevel } from '../../client/fetcher.js';
import { readTopicToEnd } from '../../client/read-to-end.js';
import type { OffsetSync } from '../../mm2/formats.js';
import type { Admin } from 'kafkajs';
import { ensureCompactedTopic } from './topics.js';

/** One record of the positions topic as written. */
export interface PositionRecord {
  key: string;
  value: string;
}

/** Writes position records to partition 0 of the positions topic; resolves once they are written. */
export type PositionWriter = (topic: string, records: PositionRecord[]) => Promise<void>;

/** One record of the positions topic: a partition's next offset to read, or undefined (tombstone). */
export function decodePosition(
  key: Buffer,
  value: Buffer | null,
): { topic: string; partition: number; offset: bigint | undefined; topicId?: string; syncs?: OffsetSync[] } {
  const [topic, partition] = JSON.parse(key.toString()) as [string, number];
  if (value === null) return { topic, partition, offset: undefined };
  const v = JSON.parse(value.toString()) as { offset: string; topicId?: unknown; syncs?: unknown };
  const topicId = typeof v.topicId === 'string' ? v.topicId : undefined;
  const syncs = Array.isArray(v.syncs)
    ? (v.syncs as [string, string][]).map(([u, d]) => ({
        topic,
        partition,
        upstreamOffset: BigInt(u),
        downstreamOffset: BigInt(d),
      }))
    : undefined;
  return {
    topic,
    partition,
    offset: BigInt(v.offset),
    ...(topicId === undefined ? {} : { topicId }),
    ...(syncs === undefined ? {} : { syncs }),
  };
}

/**
 * The offset below which a stored position's offset syncs are surely written: the position itself,
 * or, when it still carries the syncs its transaction owes (exactly-once mode), the first record of
 * that transaction (its first sync): every sync below it was written before the transaction
 * committed. Readers that rely on "the syncs below a committed position are complete" (the
 * checkpoint connector, kgw failover) use this, never the raw offset.
 */
export function syncedPosition(p: { offset: bigint; syncs?: readonly OffsetSync[] }): bigint {
  let out = p.offset;
  for (const s of p.syncs ?? []) if (s.upstreamOffset < out) out = s.upstreamOffset;
  return out;
}

interface Position {
  topic: string;
  partition: number;
  offset: bigint;
  topicId?: string;
}

export type Positions = ReadonlyMap<string, Position>;

export class PositionStore {
  private readonly committed = new Map<string, { offset: bigint; topicId?: string }>();
  private readonly current = new Map<string, Position>();
  /** Offset syncs the newest stored position of a partition owes (exactly-once mode), by tpKey. */
  private readonly owed = new Map<string, OffsetSync[]>();
  /** Partitions whose newest written position carries syncs: rewritten without them by the next commit. */
  private readonly withSyncs = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly write: PositionWriter,
    readonly topic: string,
    private readonly replicationFactor: number,
  ) {}

  /**
   * Creates the topic if needed and reads it to its end with `cluster` (left open: the caller's);
   * read_committed in exactly-once mode (positions of aborted transactions are not positions).
   */
  async load(
    cluster: ClusterClient,
    isStopped?: () => boolean,
    isolationLevel?: IsolationLevel,
  ): Promise<void> {
    await ensureCompactedTopic(this.admin, this.topic, this.replicationFactor);
    await readTopicToEnd(
      cluster,
      this.topic,
      (_p, r) => {
        if (r.key === null) return;
        const { topic, partition, offset, topicId, syncs } = decodePosition(r.key, r.value);
        const key = tpKey(topic, partition);
        this.owed.delete(key);
        if (offset === undefined) {
          this.committed.delete(key);
          return;
        }
        if (syncs !== undefined && syncs.length > 0) this.owed.set(key, syncs);
        if (syncs !== undefined && syncs.length > 0) this.withSyncs.add(key);
        else this.withSyncs.delete(key);
        this.committed.set(key, { offset, topicId });
        this.current.set(key, { topic, partition, offset, topicId });
      },
      { isStopped, ...(isolationLevel === undefined ? {} : { isolationLevel }) },
    );
  }

  /** The offset syncs stored with the newest positions (exactly-once mode), per partition. */
  owedSyncs(): OffsetSync[][] {
    return [...this.owed.values()];
  }

  /** Some stored position still carries syncs (a commit with no syncs of its own settles it). */
  get unsettled(): boolean {
    return this.withSyncs.size > 0;
  }

  get(topic: string, partition: number): bigint | undefined {
    return this.current.get(tpKey(topic, partition))?.offset;
  }

  /** The topic ids stored with the positions, per source topic (the newest one read). */
  topicIds(): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of this.current.values()) if (p.topicId !== undefined) out.set(p.topic, p.topicId);
    return out;
  }

  /** Records that everything before `offset` is on the target (not yet durable: see commit). */
  advance(topic: string, partition: number, offset: bigint, topicId?: string): void {
    this.current.set(tpKey(topic, partition), { topic, partition, offset, topicId });
  }

  /** The current positions, as a commit taken now would write them. */
  snapshot(): Positions {
    return new Map(this.current);
  }

  /**
   * Writes every position of `positions` (default: the current ones) that moved since the last
   * commit, each with the offset syncs `syncs` holds for its partition (exactly-once mode: the
   * syncs its transaction owes); resolves once the writer has them. Positions stored with syncs
   * earlier are written again without them: the caller commits only once those syncs are written.
   */
  async commit(positions: Positions = this.current, syncs: readonly OffsetSync[] = []): Promise<number> {
    const owed = new Map<string, [string, string][]>();
    for (const s of syncs) {
      const k = tpKey(s.topic, s.partition);
      let list = owed.get(k);
      if (list === undefined) owed.set(k, (list = []));
      list.push([s.upstreamOffset.toString(), s.downstreamOffset.toString()]);
    }
    const dirty = [...positions.entries()].filter(([k, v]) => {
      const c = this.committed.get(k);
      if (owed.has(k) || this.withSyncs.has(k)) return true;
      return c === undefined || c.offset !== v.offset || c.topicId !== v.topicId;
    });
    if (dirty.length === 0) return 0;
    await this.write(
      this.topic,
      dirty.map(([k, v]) => ({
        key: JSON.stringify([v.topic, v.partition]),
        value: JSON.stringify({
          offset: v.offset.toString(),
          ...(v.topicId === undefined ? {} : { topicId: v.topicId }),
          ...(owed.has(k) ? { syncs: owed.get(k) } : {}),
        }),
      })),
    );
    for (const [k, v] of dirty) {
      this.committed.set(k, { offset: v.offset, topicId: v.topicId });
      if (owed.has(k)) this.withSyncs.add(k);
      else this.withSyncs.delete(k);
    }
    return dirty.length;
  }
}
