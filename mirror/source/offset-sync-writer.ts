/**
 * Decides which MM2 offset syncs (upstream offset ↔ downstream offset of one mirrored record) a
 * partition emits, so that the checkpoint side can rebuild exactly which source offsets went to
 * which target offsets (mm2/sync-history.ts reads them back).
 *
 * The records of a partition, in the order the target acknowledged them, fall into runs: a run is a
 * maximal sequence whose source offsets and target offsets both go up by one from record to record.
 * A run ends where the source skipped offsets (transaction markers, aborted or compacted records,
 * echoes not written), where the target's offsets jumped (other producers wrote to the partition
 * in between, e.g. local writes under IdentityReplicationPolicy), where either went backwards, or
 * when the mirror restarts. The syncs emitted are:
 *
 *  - the first record of this writer's life (MM2's OffsetSyncWriter does the same), twice: see the
 *    marker below; a restarted mirror may have written records after its last sync before it died;
 *  - at every discontinuity, the last record before it AND the first record after it, so every run's
 *    first and last records are known; when the source and target jumped by the same amount, the
 *    record after is emitted twice: a repeated sync says "not contiguous with the sync before me",
 *    which the equal differences could not say by themselves;
 *  - when the partition is read from its log start (no stored position), the first record three
 *    times: a stream that begins with the same sync three times covers everything ever mirrored, so
 *    a group whose offset is below that first record resumes at it;
 *  - MM2's offset.lag.max rule (a sync when the last one is that far behind), for MM2 readers;
 *  - at each position commit, the newest record of each partition (MM2's delayed sync), so a run is
 *    known up to the committed position.
 *
 * Everything is MM2's OffsetSync format; MM2's own OffsetSyncStore reads these syncs too (a repeated
 * sync is harmless to it, and the extra syncs only make its "+1 past the newest sync" closer).
 * Cost: two syncs per discontinuity instead of MM2's one, i.e. none extra on a plain topic, about
 * two per transaction or interleaved produce batch (measured in bench/mirror/README.md).
 */
import type { OffsetSync } from '../../mm2/formats.js';
import { tpKey } from '../../client/cluster.js';

interface Last {
  topic: string;
  partition: number;
  upstream: bigint;
  downstream: bigint;
  synced: boolean;
}

export class OffsetSyncDecider {
  private readonly last = new Map<string, Last>();
  /** Downstream offset of the newest sync per partition (MM2's lastSyncDownstreamOffset). */
  private readonly lastSyncDownstream = new Map<string, bigint>();
  /** Syncs due now, in order (sent as one batch per produce round). */
  private pending: OffsetSync[] = [];
  /** Partitions read from their log start (no stored position): their first sync is written three times. */
  private readonly fromLogStart = new Set<string>();

  constructor(private readonly maxOffsetLag: number) {}

  /**
   * The partition is read from its log start (the mirror has no position for it): nothing before
   * its first mirrored record was ever copied, so a group below that record may resume at it.
   */
  startsAtLogStart(topic: string, partition: number): void {
    this.fromLogStart.add(tpKey(topic, partition));
  }

  /** Called for every record the target acknowledged, in target offset order per partition. */
  record(topic: string, partition: number, upstreamOffset: bigint, downstreamOffset: bigint): void {
    const key = tpKey(topic, partition);
    const prev = this.last.get(key);
    const here: Last = {
      topic,
      partition,
      upstream: upstreamOffset,
      downstream: downstreamOffset,
      synced: false,
    };
    this.last.set(key, here);
    if (prev === undefined) {
      // Repeated: whatever this partition's syncs said before (an earlier run of the mirror, which
      // may have written records it had not synced yet), this record does not continue it.
      this.emit(key, here);
      this.emit(key, here);
      if (this.fromLogStart.delete(key)) this.emit(key, here); // a third time: "from the log start"
      return;
    }
    const du = upstreamOffset - prev.upstream;
    const dd = downstreamOffset - prev.downstream;
    if (du === 1n && dd === 1n) {
      const lastSync = this.lastSyncDownstream.get(key) ?? -1n;
      if (downstreamOffset - (lastSync + 1n) >= BigInt(this.maxOffsetLag)) this.emit(key, here);
      return;
    }
    // A discontinuity: the run before it ends at prev, the next one starts here.
    if (!prev.synced) this.emit(key, prev);
    this.emit(key, here);
    if (du === dd) this.emit(key, here); // the repeat marks the discontinuity
  }

  /** At a position commit: the newest record of every partition becomes due (MM2's delayed sync). */
  promoteDelayed(): void {
    for (const [key, l] of this.last) if (!l.synced) this.emit(key, l);
  }

  /** Takes the syncs due now. */
  drain(): OffsetSync[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private emit(key: string, l: Last): void {
    l.synced = true;
    this.lastSyncDownstream.set(key, l.downstream);
    this.pending.push({
      topic: l.topic,
      partition: l.partition,
      upstreamOffset: l.upstream,
      downstreamOffset: l.downstream,
    });
  }
}
