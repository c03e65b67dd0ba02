/**
 * Offset → time estimation, after Kafka Lag Exporter's method: every collection cycle records the
 * partition's log end offset with the time it was read, in a bounded table per partition. The time
 * lag of a committed offset is "now minus the moment the log end was at that offset", found by
 * linear interpolation between the two points that bracket it (or, outside the table, by
 * extrapolating the table's overall trend).
 *
 * The table only accepts points whose time and offset increase. A flat stretch (no new records) is
 * kept as two points, the first and the latest time the offset was seen, so the table does not fill
 * with identical offsets.
 */

export interface Point {
  readonly offset: number;
  readonly timeMs: number;
}

/** Why a lag in seconds is, or is not, known. */
export type TimeLagKind =
  | 'zero' // committed offset is at the newest recorded log end offset: lag 0
  | 'interpolated' // between two recorded points
  | 'extrapolated' // before the oldest point: the table's overall slope was extended
  | 'lower-bound' // log end never moved inside the table: at least as old as the oldest point
  | 'too-few-points'; // fewer than two points and lag > 0: unknown (reported as no sample)

export interface TimeLag {
  readonly kind: TimeLagKind;
  /** Seconds; undefined only for too-few-points. */
  readonly seconds: number | undefined;
}

export class LookupTable {
  private readonly points: Point[] = [];

  constructor(private readonly limit: number) {
    if (limit < 2) throw new Error('a lookup table needs room for at least two points');
  }

  get length(): number {
    return this.points.length;
  }

  snapshot(): readonly Point[] {
    return this.points;
  }

  add(point: Point): void {
    const n = this.points.length;
    const last = this.points[n - 1];
    if (last) {
      if (point.timeMs <= last.timeMs) return; // out of order
      if (point.offset < last.offset) {
        // The log end moved backwards: the topic was deleted and re-created, or truncated.
        // Old points describe a different log, so start over.
        this.points.length = 0;
      } else if (point.offset === last.offset && n > 1 && this.points[n - 2]!.offset === point.offset) {
        this.points[n - 1] = point; // extend the flat segment's right end
        return;
      }
    }
    if (this.points.length === this.limit) this.points.shift();
    this.points.push(point);
  }

  /** Estimated time (ms) at which the log end offset was `offset`. */
  private estimate(offset: number): { timeMs: number; extrapolated: boolean } | undefined {
    const pts = this.points;
    // Newest first: recent consumers are near the end of the table.
    for (let i = pts.length - 1; i > 0; i--) {
      const left = pts[i - 1]!;
      const right = pts[i]!;
      if (offset >= left.offset && offset <= right.offset) {
        if (right.offset === left.offset) return { timeMs: left.timeMs, extrapolated: false };
        return { timeMs: interpolate(left, right, offset), extrapolated: false };
      }
    }
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    if (last.offset === first.offset) return undefined;
    return { timeMs: interpolate(first, last, offset), extrapolated: true };
  }

  /** Time lag of a consumer whose committed offset is `committed`, at wall-clock `nowMs`. */
  timeLag(committed: number, nowMs: number): TimeLag {
    const last = this.points[this.points.length - 1];
    if (last && committed >= last.offset) return { kind: 'zero', seconds: 0 };
    if (this.points.length < 2) return { kind: 'too-few-points', seconds: undefined };
    const est = this.estimate(committed);
    if (!est) {
      // Every point has the same offset and the consumer is below it: the log end reached that offset
      // before the table began, so the lag is at least the table's age.
      return { kind: 'lower-bound', seconds: Math.max(0, (nowMs - this.points[0]!.timeMs) / 1000) };
    }
    return {
      kind: est.extrapolated ? 'extrapolated' : 'interpolated',
      seconds: Math.max(0, (nowMs - est.timeMs) / 1000),
    };
  }
}

function interpolate(left: Point, right: Point, offset: number): number {
  const slope = (right.timeMs - left.timeMs) / (right.offset - left.offset);
  return right.timeMs - (right.offset - offset) * slope;
}
