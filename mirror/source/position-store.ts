/**
 * Where a flow's source positions live: the compacted topic kgw-mirror-offsets.<source>.internal on
 * the TARGET cluster, so positions and the data they describe are acknowledged by the same cluster.
 * Key: JSON ["<source topic>", <partition>]; value: JSON {"offset": "<next offset to read>",
 * "topicId": "<the source topic's id>"} (topicId absent in positions written before it was stored).
 * A position is only written after the target acknowledged every record before it. The topic id lets
 * a restarted mirror notice a source topic deleted and created again while it was down (the fetcher
 * is told the id to expect; a different one is reported as topic-recreated), even when the new
 * topic already has more records than the stored position.
 */
import type { Admin, Producer } from 'kafkajs';
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import { readTopicToEnd } from '../../client/read-to-end.js';
import { ensureCompactedTopic } from './topics.js';

/** One record of the positions topic: a partition's next offset to read, or undefined (tombstone). */
export function decodePosition(
  key: Buffer,
  value: Buffer | null,
): { topic: string; partition: number; offset: bigint | undefined; topicId?: string } {
  const [topic, partition] = JSON.parse(key.toString()) as [string, number];
  if (value === null) return { topic, partition, offset: undefined };
  const v = JSON.parse(value.toString()) as { offset: string; topicId?: unknown };
  const topicId = typeof v.topicId === 'string' ? v.topicId : undefined;
  return { topic, partition, offset: BigInt(v.offset), ...(topicId === undefined ? {} : { topicId }) };
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

  constructor(
    private readonly admin: Admin,
    private readonly producer: Producer,
    readonly topic: string,
    private readonly replicationFactor: number,
  ) {}

  /** Creates the topic if needed and reads it to its end with `cluster` (left open: the caller's). */
  async load(cluster: ClusterClient, isStopped?: () => boolean): Promise<void> {
    await ensureCompactedTopic(this.admin, this.topic, this.replicationFactor);
    await readTopicToEnd(
      cluster,
      this.topic,
      (_p, r) => {
        if (r.key === null) return;
        const { topic, partition, offset, topicId } = decodePosition(r.key, r.value);
        const key = tpKey(topic, partition);
        if (offset === undefined) {
          this.committed.delete(key);
          return;
        }
        this.committed.set(key, { offset, topicId });
        this.current.set(key, { topic, partition, offset, topicId });
      },
      { isStopped },
    );
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
   * commit; resolves once the target has them.
   */
  async commit(positions: Positions = this.current): Promise<number> {
    const dirty = [...positions.entries()].filter(([k, v]) => {
      const c = this.committed.get(k);
      return c === undefined || c.offset !== v.offset || c.topicId !== v.topicId;
    });
    if (dirty.length === 0) return 0;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: dirty.map(([, v]) => ({
        partition: 0,
        key: JSON.stringify([v.topic, v.partition]),
        value: JSON.stringify({
          offset: v.offset.toString(),
          ...(v.topicId === undefined ? {} : { topicId: v.topicId }),
        }),
      })),
    });
    for (const [k, v] of dirty) this.committed.set(k, { offset: v.offset, topicId: v.topicId });
    return dirty.length;
  }
}
