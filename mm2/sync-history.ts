/**
 * The offset-sync history of one source partition, rebuilt from the syncs mirror/source/
 * offset-sync-writer.ts emits, and exact translation of a consumer group's offset from it.
 *
 * Reading the sync stream. Between two consecutive syncs A, B of a partition there is at most one
 * discontinuity, and if there is one, A is the last record before it and B the first after it (the
 * writer emits both). So: equal differences (B.u - A.u == B.d - A.d) mean A..B is one run of
 * contiguous records, unless B is repeated next (the writer's marker for "source and target jumped by
 * the same amount"); different differences mean B directly follows A. A stream that starts later
 * (the offset-syncs topic was compacted, or old runs were evicted) is a suffix of that stream, so
 * every consecutive pair that remains keeps its meaning. A downstream offset that goes backwards means
 * the target partition was truncated or re-created: everything known before is void.
 *
 *   runs, in target order:   [u0 … u0+n0-1 → d0 …]   [u1 … → d1 …]   …
 *
 * Translation (what a failed-over consumer must resume at, 0 re-read and 0 skipped by content): the
 * first mirrored record with a source offset ≥ U that comes after every mirrored copy of a record
 * below U. Without duplicates that is simply the first mirrored record at or after U; after a
 * mirror restart replayed records (at-least-once), it is the replayed copy, so a consumer does not
 * read the records it had consumed a second time. With i the last run (in target order) holding a
 * source offset below U:
 *
 *   U inside run i                  → run i's target offset for U
 *   U past run i, a run i+1 exists  → run i+1's first target offset (the next mirrored record)
 *   U past every run                → the target offset after run i, but only if the mirror has
 *                                     read the source up to U (its committed position); otherwise
 *                                     the group is ahead of the mirror and nothing is answered
 *   no run below U                  → run 0's first offset if run 0 starts exactly at U, or if the
 *                                     stream began at the partition's log start (its first sync
 *                                     written three times); else the group is behind the kept
 *                                     history and nothing is answered
 *
 * Memory: four float64 per run (32 bytes), in growable typed arrays; the owner (OffsetSyncStore)
 * evicts the oldest runs beyond its limit. Offsets are kept as doubles: exact below 2^53.
 */

export type Translation =
  /**
   * `atHead`: no mirrored record at or after the group's offset exists yet; the offset is the one
   * after the last record the mirror wrote below it (the next mirrored record will come after it).
   */
  | { kind: 'exact'; offset: bigint; atHead?: true }
  /** The group has read past what the mirror has copied: no answer until it catches up. */
  | { kind: 'ahead' }
  /** The group is older than the oldest kept sync: no exact answer exists here. */
  | { kind: 'behind'; oldestUpstream: bigint }
  /** No sync for this partition yet. */
  | { kind: 'none' };

const INITIAL_CAPACITY = 8;

function toNumber(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${v} is beyond 2^53`);
  return n;
}

export class PartitionSyncHistory {
  private uStart: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private dStart: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private length: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** sufMin[i] = min(uStart[i..]): non-decreasing, so "the last run starting below U" is a binary search. */
  private sufMin: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private head = 0;
  private end = 0;
  private lastU = -1;
  private lastD = -1;
  /** The sync before the last one, when the last one extended a run (a marker may split it again). */
  private extendedFrom: number | undefined;
  /** True once runs were evicted or the target was truncated: the history no longer starts at run 0. */
  trimmed = false;
  /** The stream began with one sync three times: run 0 is the first record the mirror ever copied. */
  private fromLogStart = false;
  /** How many times the stream's first sync has been seen, while nothing else was. */
  private leadingRepeats = 0;

  get runs(): number {
    return this.end - this.head;
  }

  add(upstream: bigint, downstream: bigint): void {
    const u = toNumber(upstream, 'upstream offset');
    const d = toNumber(downstream, 'downstream offset');
    if (this.runs === 0) {
      this.push(u, d);
      this.leadingRepeats = 1;
      this.lastU = u;
      this.lastD = d;
      return;
    }
    if (u === this.lastU && d === this.lastD) {
      if (this.leadingRepeats > 0 && ++this.leadingRepeats === 3 && !this.trimmed) this.fromLogStart = true;
      // A repeated sync: it is not contiguous with the sync before it.
      if (this.extendedFrom !== undefined) {
        const i = this.end - 1;
        this.length[i] = this.extendedFrom - this.uStart[i]! + 1;
        this.push(u, d);
      }
      return;
    }
    this.leadingRepeats = 0;
    if (d <= this.lastD) {
      // The target partition went backwards (truncated or re-created): the old mapping is void.
      this.head = this.end = 0;
      this.trimmed = true;
      this.fromLogStart = false;
      this.push(u, d);
    } else if (u - this.lastU === d - this.lastD) {
      const i = this.end - 1;
      this.extendedFrom = this.lastU;
      this.length[i] = u - this.uStart[i]! + 1;
    } else {
      this.push(u, d);
    }
    this.lastU = u;
    this.lastD = d;
  }

  /** The first source offset of the oldest kept run (-1 when empty). */
  oldestUpstream(): bigint {
    return this.runs === 0 ? -1n : BigInt(this.uStart[this.head]!);
  }

  /** Forgets the `n` oldest runs (bounded memory); groups behind them get no translation. */
  evictOldest(n: number): void {
    const k = Math.min(n, this.runs - 1);
    if (k <= 0) return;
    this.head += k;
    this.trimmed = true;
    this.fromLogStart = false;
  }

  /**
   * The target offset a group committed at source offset `upstream` resumes at. `position` is the
   * mirror's committed source position for the partition (every source offset below it has been
   * read and its syncs written), when known.
   */
  translate(upstream: bigint, position?: bigint): Translation {
    if (this.runs === 0) return { kind: 'none' };
    const U = toNumber(upstream, 'group offset');
    const i = this.lastRunStartingBelow(U);
    if (i < 0) {
      if (this.uStart[this.head] === U || this.fromLogStart)
        return { kind: 'exact', offset: BigInt(this.dStart[this.head]!) };
      return { kind: 'behind', oldestUpstream: BigInt(this.uStart[this.head]!) };
    }
    const start = this.uStart[i]!;
    const n = this.length[i]!;
    if (U < start + n) return { kind: 'exact', offset: BigInt(this.dStart[i]! + (U - start)) };
    if (i + 1 < this.end) return { kind: 'exact', offset: BigInt(this.dStart[i + 1]!) };
    if (position !== undefined && upstream <= position)
      return { kind: 'exact', offset: BigInt(this.dStart[i]! + n), atHead: true };
    return { kind: 'ahead' };
  }

  /** Index of the last run whose first source offset is below `u`, or -1. */
  private lastRunStartingBelow(u: number): number {
    let lo = this.head;
    let hi = this.end; // answer in [head-1, end-1]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sufMin[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1 >= this.head ? lo - 1 : -1;
  }

  private push(u: number, d: number): void {
    if (this.end === this.uStart.length) this.grow();
    const i = this.end++;
    this.uStart[i] = u;
    this.dStart[i] = d;
    this.length[i] = 1;
    this.sufMin[i] = u;
    for (let j = i - 1; j >= this.head && this.sufMin[j]! > u; j--) this.sufMin[j] = u;
    this.extendedFrom = undefined;
  }

  /** Doubles the arrays, or compacts them when most of the space is evicted runs. */
  private grow(): void {
    const live = this.runs;
    const capacity = live * 2 > this.uStart.length ? this.uStart.length * 2 : this.uStart.length;
    const move = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(this.head, this.end));
      return b;
    };
    this.uStart = move(this.uStart);
    this.dStart = move(this.dStart);
    this.length = move(this.length);
    this.sufMin = move(this.sufMin);
    this.head = 0;
    this.end = live;
  }
}
