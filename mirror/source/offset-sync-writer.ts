/**
 * Decides when to emit an MM2 offset sync (upstream offset ↔ downstream offset) for a partition, with
 * MM2's rules (OffsetSyncWriter.PartitionState): sync the first record of this process' lifetime,
 * whenever an upstream offset was skipped (filtered records, compaction, control records), when the
 * downstream log went backwards, and when translating from the last sync would lag by offset.lag.max
 * or more. Other records are kept as a "delayed" sync, promoted when positions are committed, so a
 * caught-up consumer group translates exactly.
 */
import type { OffsetSync } from '../formats.js';
import { tpKey } from '../../protocol/client/cluster.js';

class PartitionState {
  previousUpstream = -1n;
  previousDownstream = -1n;
  lastSyncDownstream = -1n;
  shouldSync = false;

  constructor(private readonly maxOffsetLag: bigint) {}

  update(upstream: bigint, downstream: bigint): boolean {
    const noSyncYet = this.lastSyncDownstream === -1n;
    const tooStale = downstream - (this.lastSyncDownstream + 1n) >= this.maxOffsetLag;
    const skippedUpstream = upstream - this.previousUpstream !== 1n;
    const truncatedDownstream = downstream < this.previousDownstream;
    if (noSyncYet || tooStale || skippedUpstream || truncatedDownstream) {
      this.lastSyncDownstream = downstream;
      this.shouldSync = true;
    }
    this.previousUpstream = upstream;
    this.previousDownstream = downstream;
    return this.shouldSync;
  }
}

export class OffsetSyncDecider {
  private readonly states = new Map<string, PartitionState>();
  /** Syncs due now, in order (MM2 sends each as soon as it is due; we batch them per produce round). */
  private pending: OffsetSync[] = [];
  private readonly delayed = new Map<string, OffsetSync>();

  constructor(private readonly maxOffsetLag: number) {}

  /** Called for every record the target acknowledged, in offset order per partition. */
  record(topic: string, partition: number, upstreamOffset: bigint, downstreamOffset: bigint): void {
    const key = tpKey(topic, partition);
    let state = this.states.get(key);
    if (state === undefined) {
      state = new PartitionState(BigInt(this.maxOffsetLag));
      this.states.set(key, state);
    }
    const sync: OffsetSync = { topic, partition, upstreamOffset, downstreamOffset };
    if (state.update(upstreamOffset, downstreamOffset)) {
      this.delayed.delete(key);
      this.pending.push(sync);
      state.shouldSync = false;
    } else {
      this.delayed.set(key, sync);
    }
  }

  /** At a position commit: delayed syncs become due. */
  promoteDelayed(): void {
    for (const v of this.delayed.values()) this.pending.push(v);
    this.delayed.clear();
  }

  /** Takes the syncs due now. */
  drain(): OffsetSync[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
