/**
 * The offset syncs of one flow, as exact per-partition histories (sync-history.ts), with a bound on
 * memory: at most `maxRuns` runs in all (32 bytes each); beyond it the partition holding the most
 * runs forgets its oldest quarter, and groups behind what is left get no checkpoint (never a guess).
 *
 * This replaces the port of MM2's OffsetSyncStore (64 exponentially spaced slots per partition, and
 * only the newest sync kept from the initial read), which could only answer "the newest sync at or
 * before the group, +1": tens of thousands of records re-read after a failover (issue #13).
 */
import type { OffsetSync } from './formats.js';
import { PartitionSyncHistory, type Translation } from './sync-history.js';

export type { Translation };

/** The histories' map key: a topic name cannot contain NUL. */
const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface EvictionNotice {
  topic: string;
  partition: number;
  /** Groups committed below this source offset can no longer be translated. */
  oldestUpstream: bigint;
}

export class OffsetSyncStore {
  private readonly histories = new Map<
    string,
    { topic: string; partition: number; h: PartitionSyncHistory }
  >();
  private totalRuns = 0;

  /** `onEvict` hears each time a partition's oldest runs are dropped for memory. */
  constructor(
    private readonly maxRuns = 1_000_000,
    private readonly onEvict?: (notice: EvictionNotice) => void,
  ) {}

  get runs(): number {
    return this.totalRuns;
  }

  add(sync: OffsetSync): void {
    const key = tpKey(sync.topic, sync.partition);
    let entry = this.histories.get(key);
    if (entry === undefined) {
      entry = { topic: sync.topic, partition: sync.partition, h: new PartitionSyncHistory() };
      this.histories.set(key, entry);
    }
    const before = entry.h.runs;
    entry.h.add(sync.upstreamOffset, sync.downstreamOffset);
    this.totalRuns += entry.h.runs - before;
    if (this.totalRuns > this.maxRuns) this.evict();
  }

  /** See PartitionSyncHistory.translate. */
  translate(topic: string, partition: number, upstream: bigint, position?: bigint): Translation {
    const entry = this.histories.get(tpKey(topic, partition));
    return entry === undefined ? { kind: 'none' } : entry.h.translate(upstream, position);
  }

  private evict(): void {
    let largest: { topic: string; partition: number; h: PartitionSyncHistory } | undefined;
    for (const e of this.histories.values())
      if (largest === undefined || e.h.runs > largest.h.runs) largest = e;
    if (largest === undefined) return;
    const before = largest.h.runs;
    largest.h.evictOldest(Math.max(1, Math.floor(before / 4)));
    this.totalRuns -= before - largest.h.runs;
    this.onEvict?.({
      topic: largest.topic,
      partition: largest.partition,
      oldestUpstream: largest.h.oldestUpstream(),
    });
  }
}
