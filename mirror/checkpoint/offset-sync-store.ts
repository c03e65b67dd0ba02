/**
 * The offset syncs of one flow, kept per partition in 64 slots of exponentially growing age (MM2's
 * OffsetSyncStore: slot i is replaced when the new sync differs from it in any of the upstream
 * offset's bits from i upward), and MM2's translation: the newest sync at or before the group's
 * upstream offset, plus one downstream offset if the group is past it; -1 when every kept sync is
 * newer than the group (too old to translate); nothing before the whole topic was read once.
 */
import type { OffsetSync } from '../formats.js';
import { tpKey } from '../../protocol/client/cluster.js';

const SLOTS = 64;

export class OffsetSyncStore {
  private readonly syncs = new Map<string, OffsetSync[]>();
  /** False until the syncs topic was read to its end once. */
  readToEnd = false;

  add(sync: OffsetSync): void {
    const key = tpKey(sync.topic, sync.partition);
    const slots = this.syncs.get(key);
    if (slots === undefined || !this.readToEnd || slots[0]!.upstreamOffset > sync.upstreamOffset) {
      // First sync, initial load, or the upstream topic was recreated / rewound: start over.
      this.syncs.set(key, new Array<OffsetSync>(SLOTS).fill(sync));
      return;
    }
    const next = slots.slice();
    next[0] = sync;
    for (let i = 1; i < SLOTS; i++) {
      const mask = BigInt.asIntN(64, 0x7fffffffffffffffn << BigInt(i));
      if (((next[i]!.upstreamOffset ^ sync.upstreamOffset) & mask) !== 0n) next[i] = sync;
      else break;
    }
    this.syncs.set(key, next);
  }

  /** Upstream group offset → downstream offset; undefined when no sync applies (yet). */
  translateDownstream(topic: string, partition: number, upstreamOffset: bigint): bigint | undefined {
    if (!this.readToEnd) return undefined;
    const slots = this.syncs.get(tpKey(topic, partition));
    if (slots === undefined) return undefined;
    const sync = slots.find((s) => s.upstreamOffset <= upstreamOffset) ?? slots[SLOTS - 1]!;
    if (sync.upstreamOffset > upstreamOffset) return -1n;
    return sync.downstreamOffset + (upstreamOffset === sync.upstreamOffset ? 0n : 1n);
  }
}
