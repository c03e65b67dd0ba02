/**
 * Follows the source partitions that consumer groups read, indexing the copies of the target's own
 * records they hold (CopyIndex), so the checkpoint connector can translate offsets for records this
 * flow never copied because they came from the target (active-active; issue #13).
 *
 * Each partition is read once, from the lowest offset a group was seen at, and then only its new
 * records before each checkpoint round: the cost is one more read of the partitions groups consume
 * (headers only are looked at; nothing but the runs of copies is kept). A group found below where a
 * partition's index starts makes it start again from there. Bounded memory: at most `maxRuns` runs
 * in all; beyond, the partition with the most forgets its oldest quarter (groups below what is left
 * get no translation, never a guess).
 *
 * Read read_committed (KIP-98), always: the copies are the reverse flow's, and in exactly-once mode
 * (this configuration's or another process's: which mode wrote them cannot be known here) they are
 * transactional, so a killed mirror leaves copies of aborted transactions before the replayed ones.
 * Indexed, those would count as read (their origin offsets are the highest below a group after them)
 * and put the group past originals it never saw. With at-least-once copies (never transactional) both
 * levels return the same records; the only difference is where a read ends: the last stable offset,
 * not the high watermark, so copies behind another producer's open transaction on the partition are
 * indexed once it ends, and a group beyond that point (only a read_uncommitted consumer gets there)
 * gets no checkpoint meanwhile — its last one stands ('unknown'), never a guess.
 */
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import { NativeFetcher, type OffsetReset } from '../../client/fetcher.js';
import { topicOffsets, type PartitionOffsets } from '../../client/read-to-end.js';
import { originOf } from '../failover/origin.js';
import { CopyIndex, type CopyTranslation } from './copy-index.js';

const MAX_ROUND_MS = 30_000;

export interface GroupPosition {
  topic: string;
  partition: number;
  /** A committed offset of some group on the source. */
  offset: bigint;
}

export interface TargetCopiesOptions {
  /** The target cluster's alias: copies are records whose kgw.origin.cluster names it. */
  home: string;
  /** The name on the target of a source topic (the replication policy's rename). */
  homeTopic: (sourceTopic: string) => string;
  maxRuns: number;
}

interface Indexed {
  topic: string;
  partition: number;
  index: CopyIndex;
}

export class TargetCopies {
  private readonly indexes = new Map<string, Indexed>();
  private readonly fetcher: NativeFetcher;

  constructor(
    private readonly source: ClusterClient,
    private readonly opts: TargetCopiesOptions,
  ) {
    this.fetcher = new NativeFetcher(source, {
      maxBytes: 8 << 20,
      partitionMaxBytes: 4 << 20,
      maxWaitMs: 100,
      isolationLevel: 'read_committed',
      onOffsetReset: (r) => this.restart(r),
    });
  }

  /** Translation of a group's committed offset through the copies (see CopyIndex.translate). */
  translate(topic: string, partition: number, committed: bigint): CopyTranslation {
    return this.indexes.get(tpKey(topic, partition))?.index.translate(committed) ?? { kind: 'unknown' };
  }

  get runs(): number {
    let n = 0;
    for (const e of this.indexes.values()) n += e.index.runs;
    return n;
  }

  /** Reads every partition of `groups` up to its end as of now, starting where the groups need it. */
  async catchUp(groups: GroupPosition[], isStopped: () => boolean): Promise<void> {
    const lowest = new Map<string, GroupPosition>();
    for (const g of groups) {
      const k = tpKey(g.topic, g.partition);
      const seen = lowest.get(k);
      if (seen === undefined || g.offset < seen.offset) lowest.set(k, g);
    }
    const ends = new Map<string, PartitionOffsets[]>();
    const behind = new Map<string, bigint>(); // partition -> its end as of now
    for (const [k, g] of lowest) {
      let offsets = ends.get(g.topic);
      if (offsets === undefined)
        ends.set(
          g.topic,
          (offsets = await topicOffsets(this.source, g.topic, { isolationLevel: 'read_committed' })),
        );
      const range = offsets.find((o) => o.partition === g.partition);
      if (range === undefined) continue;
      let entry = this.indexes.get(k);
      const scanned = entry?.index.scannedTo;
      if (
        entry === undefined ||
        g.offset < entry.index.start || // a group below the index: start again from it
        range.high < scanned! || // the log went backwards (truncated, re-created)
        range.low > scanned! // records removed before they were looked at
      ) {
        const start = g.offset > range.low ? (g.offset < range.high ? g.offset : range.high) : range.low;
        entry = { topic: g.topic, partition: g.partition, index: new CopyIndex(start) };
        this.indexes.set(k, entry);
        this.fetcher.unassign(g.topic, g.partition);
      }
      if (entry.index.scannedTo < range.high) behind.set(k, range.high);
    }
    for (const k of behind.keys()) {
      const { topic, partition, index } = this.indexes.get(k)!;
      await this.fetcher.assign(topic, partition, index.scannedTo);
    }
    // Bounded per round: a source that stops answering (or a topic deleted meanwhile) must not hold
    // up the checkpoints of everything else; what is not read yet answers 'unknown' (no checkpoint).
    const deadline = Date.now() + MAX_ROUND_MS;
    while (behind.size > 0 && Date.now() < deadline) {
      if (isStopped()) throw new Error('indexing copies: stopped');
      for (const b of await this.fetcher.poll()) {
        const entry = this.indexes.get(tpKey(b.topic, b.partition));
        if (entry === undefined) continue;
        const home = this.opts.homeTopic(b.topic);
        for (const r of b.records) {
          if (r.offset < entry.index.scannedTo) continue;
          const o = originOf(r.headers);
          if (
            o !== undefined &&
            o.cluster === this.opts.home &&
            o.topic === home &&
            o.partition === b.partition
          )
            entry.index.addCopy(r.offset, o.offset);
        }
        entry.index.scannedUpTo(b.nextOffset);
        // A log that shrank meanwhile (truncated, re-created) ends earlier than measured.
        const k = tpKey(b.topic, b.partition);
        const high = behind.get(k);
        if (high !== undefined && b.highWatermark < high) behind.set(k, b.highWatermark);
      }
      for (const [k, high] of behind) {
        const entry = this.indexes.get(k)!; // replaced by restart() when the fetcher had to move
        if (entry.index.scannedTo >= high) {
          this.fetcher.unassign(entry.topic, entry.partition);
          behind.delete(k);
        }
      }
    }
    for (const k of behind.keys()) {
      const { topic, partition } = this.indexes.get(k)!;
      this.fetcher.unassign(topic, partition); // resumed from scannedTo next round
    }
    this.bound();
  }

  /** The fetcher had to move (records removed, log truncated, topic re-created): index afresh from there. */
  private restart(r: OffsetReset): void {
    this.indexes.set(tpKey(r.topic, r.partition), {
      topic: r.topic,
      partition: r.partition,
      index: new CopyIndex(r.to),
    });
  }

  private bound(): void {
    for (let total = this.runs; total > this.opts.maxRuns; total = this.runs) {
      let largest: Indexed | undefined;
      for (const e of this.indexes.values())
        if (largest === undefined || e.index.runs > largest.index.runs) largest = e;
      if (largest === undefined || largest.index.runs <= 1) return;
      largest.index.evictOldest(Math.max(1, Math.floor(largest.index.runs / 4)));
    }
  }
}
