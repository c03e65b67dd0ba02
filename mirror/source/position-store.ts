/**
 * Where a flow's source positions live: the compacted topic kgw-mirror-offsets.<source>.internal on
 * the TARGET cluster, so positions and the data they describe are acknowledged by the same cluster.
 * Key: JSON ["<source topic>", <partition>]; value: JSON {"offset": "<next offset to read>"}.
 * A position is only written after the target acknowledged every record before it.
 */
import type { Admin, Producer } from 'kafkajs';
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import { readTopicToEnd } from '../../client/read-to-end.js';
import { ensureCompactedTopic } from './topics.js';

/** One record of the positions topic: a partition's next offset to read, or undefined (tombstone). */
export function decodePosition(
  key: Buffer,
  value: Buffer | null,
): { topic: string; partition: number; offset: bigint | undefined } {
  const [topic, partition] = JSON.parse(key.toString()) as [string, number];
  if (value === null) return { topic, partition, offset: undefined };
  return { topic, partition, offset: BigInt((JSON.parse(value.toString()) as { offset: string }).offset) };
}

export type Positions = ReadonlyMap<string, { topic: string; partition: number; offset: bigint }>;

export class PositionStore {
  private readonly committed = new Map<string, bigint>();
  private readonly current = new Map<string, { topic: string; partition: number; offset: bigint }>();

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
        const { topic, partition, offset } = decodePosition(r.key, r.value);
        const key = tpKey(topic, partition);
        if (offset === undefined) {
          this.committed.delete(key);
          return;
        }
        this.committed.set(key, offset);
        this.current.set(key, { topic, partition, offset });
      },
      { isStopped },
    );
  }

  get(topic: string, partition: number): bigint | undefined {
    return this.current.get(tpKey(topic, partition))?.offset;
  }

  /** Records that everything before `offset` is on the target (not yet durable: see commit). */
  advance(topic: string, partition: number, offset: bigint): void {
    this.current.set(tpKey(topic, partition), { topic, partition, offset });
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
    const dirty = [...positions.entries()].filter(([k, v]) => this.committed.get(k) !== v.offset);
    if (dirty.length === 0) return 0;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: dirty.map(([, v]) => ({
        partition: 0,
        key: JSON.stringify([v.topic, v.partition]),
        value: JSON.stringify({ offset: v.offset.toString() }),
      })),
    });
    for (const [k, v] of dirty) this.committed.set(k, v.offset);
    return dirty.length;
  }
}
