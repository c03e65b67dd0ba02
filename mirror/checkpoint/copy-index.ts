/**
 * Where the copies of the target's own records sit in one source partition, and the translation of a
 * group's committed offset through them (issue #13, active-active).
 *
 * In active-active, a source partition can hold copies of records that were first written on the
 * target (the reverse flow target->source copied them; IdentityReplicationPolicy keeps the topic
 * name, DefaultReplicationPolicy names it `<target>.<topic>`). This flow never copies them back (echo
 * prevention: their kgw.path names the target), so no offset sync covers them and MM2 cannot
 * checkpoint them at all. Their provenance headers (kgw.origin.offset) name the original's offset on
 * the target, which is exactly what a group that read the copies must resume at there.
 *
 * The index keeps, for the scanned part of the partition [start, scannedTo), the copies as runs:
 * consecutive source offsets whose origin offsets are consecutive too, and for each run the highest
 * origin offset before it (copies can repeat after a restart of the reverse mirror).
 *
 * Translation of committed offset C (the group has read every record below C):
 *   next   = origin offset of the first copy at or after C
 *   before = highest origin offset among the copies below C
 *   answer = max(next, before + 1)  (either part alone when the other does not exist)
 * Copies are written in origin order, so without repeats next > before and the answer is `next`:
 * the first original the group has not read. After a repeat (the reverse mirror replayed records) the
 * group has already read the originals up to `before`, so it resumes after them. Originals between
 * `before` + 1 and `next` that have no copy are not visible to the group (aborted, control records,
 * removed by compaction) or were written there by this flow's source (a partition with both origins,
 * where the caller takes the lower of this and the offset-sync translation).
 *
 * Memory: three float64 per run plus one for the running maximum; the owner bounds the number of
 * runs (evictOldest). Offsets are kept as doubles: exact below 2^53.
 */

export type CopyTranslation =
  /** `atHead`: the group has read every copy indexed; the offset is one past the last original read. */
  | { kind: 'exact'; offset: bigint; atHead?: true }
  /** No copy of the target's records in the indexed part of the partition. */
  | { kind: 'none' }
  /** The offset lies outside what was scanned: nothing can be said. */
  | { kind: 'unknown' };

const INITIAL_CAPACITY = 8;

export class CopyIndex {
  private sStart: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private oStart: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private length: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** maxBefore[i] = highest origin offset of every copy before run i (evicted runs included), or -1. */
  private maxBefore: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Highest origin offset of every copy added. */
  private maxOrigin = -1;
  private head = 0;
  private end = 0;
  private first: number;
  private scanned: number;

  /** Indexes the partition from source offset `start` on (nothing scanned yet). */
  constructor(start: bigint) {
    this.first = this.scanned = Number(start);
  }

  /** The first source offset covered. */
  get start(): bigint {
    return BigInt(this.first);
  }

  /** One past the last source offset scanned. */
  get scannedTo(): bigint {
    return BigInt(this.scanned);
  }

  get runs(): number {
    return this.end - this.head;
  }

  /** A copy of the target's record at `origin`, found at source `offset` (in offset order). */
  addCopy(offset: bigint, origin: bigint): void {
    const s = Number(offset);
    const o = Number(origin);
    if (s < this.scanned) throw new RangeError(`copy at ${s} is below the scanned position ${this.scanned}`);
    const i = this.end - 1;
    if (
      i >= this.head &&
      this.sStart[i]! + this.length[i]! === s &&
      this.oStart[i]! + this.length[i]! === o
    ) {
      this.length[i]!++;
    } else {
      if (this.end === this.sStart.length) this.grow();
      const j = this.end++;
      this.sStart[j] = s;
      this.oStart[j] = o;
      this.length[j] = 1;
      this.maxBefore[j] = this.maxOrigin;
    }
    if (o > this.maxOrigin) this.maxOrigin = o;
    this.scanned = s + 1;
  }

  /** Everything below `offset` has been scanned (records that are not copies included). */
  scannedUpTo(offset: bigint): void {
    const n = Number(offset);
    if (n > this.scanned) this.scanned = n;
  }

  /** Forgets the `n` oldest runs; offsets below the first run kept are then unknown. */
  evictOldest(n: number): void {
    const k = Math.min(n, this.runs - 1);
    if (k <= 0) return;
    this.head += k;
    this.first = this.sStart[this.head]!;
  }

  /** See the module comment. */
  translate(committed: bigint): CopyTranslation {
    const C = Number(committed);
    if (C < this.first || C > this.scanned) return { kind: 'unknown' };
    const i = this.lastRunStartingBelow(C);
    let before: number | undefined;
    let next: number | undefined;
    if (i >= this.head) {
      const inside = C - this.sStart[i]!;
      const n = Math.min(inside, this.length[i]!);
      if (inside < this.length[i]!) next = this.oStart[i]! + inside;
      // The run's copies below C end at origin oStart + n - 1; earlier copies may have gone higher.
      before = Math.max(this.maxBefore[i]!, this.oStart[i]! + n - 1);
    } else if (this.runs > 0 && this.maxBefore[this.head]! >= 0) {
      before = this.maxBefore[this.head]!; // C is the first run's start; evicted runs came before it
    }
    if (next === undefined && i + 1 < this.end) next = this.oStart[i + 1]!;
    if (next === undefined && before === undefined) return { kind: 'none' };
    if (next === undefined) return { kind: 'exact', offset: BigInt(before! + 1), atHead: true };
    const offset = before === undefined ? next : Math.max(next, before + 1);
    return { kind: 'exact', offset: BigInt(offset) };
  }

  /** Index of the last run starting below `s` (runs are in source order), or head - 1. */
  private lastRunStartingBelow(s: number): number {
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sStart[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private grow(): void {
    const live = this.runs;
    const capacity = live * 2 > this.sStart.length ? this.sStart.length * 2 : this.sStart.length;
    const move = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(this.head, this.end));
      return b;
    };
    this.sStart = move(this.sStart);
    this.oStart = move(this.oStart);
    this.length = move(this.length);
    this.maxBefore = move(this.maxBefore);
    this.head = 0;
    this.end = live;
  }
}
