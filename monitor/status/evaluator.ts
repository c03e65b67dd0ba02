/**
 * Burrow-style lag evaluation, pure. A partition's window is the last N commits the monitor has
 * observed (offset, when, and the lag at that moment). Rules, in Burrow's order
 * (docs/monitor.md states them with the reasons):
 *
 *  1. lag now is 0, or lag was 0 at some commit in the window          → OK
 *  2. some commit's offset is lower than the one before it             → REWIND
 *  3. now − last commit time > last − first commit time                → STOP
 *  4. every commit in the window has the same offset                   → STALL
 *  5. offsets move but the lag never decreased between two commits     → WARN
 *  otherwise                                                           → OK
 *
 * A group's status is its worst partition's, except that STOP, STALL and REWIND count as ERR at
 * group level (as in Burrow); `complete` is the fraction of partitions whose window is full.
 */
import { BURROW_STATUS, type BurrowStatusName } from '../../observability/metrics/index.js';

export type Status = BurrowStatusName;

export interface Commit {
  readonly offset: number;
  /** When the commit was observed (ms). */
  readonly timestampMs: number;
  /** Log end offset minus this offset when it was observed. */
  readonly lag: number;
}

export interface PartitionInput {
  readonly topic: string;
  readonly partition: number;
  readonly window: readonly Commit[];
  readonly windowSize: number;
  readonly currentLag: number;
  readonly owner?: string;
  readonly clientId?: string;
}

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  readonly status: Status;
  readonly start: Commit | undefined;
  readonly end: Commit | undefined;
  readonly currentLag: number;
  readonly complete: number;
  readonly owner: string;
  readonly clientId: string;
}

export interface GroupStatus {
  readonly cluster: string;
  readonly group: string;
  readonly status: Status;
  readonly complete: number;
  readonly partitions: readonly PartitionStatus[];
  readonly maxlag: PartitionStatus | undefined;
  readonly totalLag: number;
}

export const statusCode = (s: Status): number => BURROW_STATUS[s];

export function evaluateWindow(window: readonly Commit[], currentLag: number, nowMs: number): Status {
  // Rule 1: no lag now, or the consumer caught up at some point in the window.
  if (currentLag <= 0 || window.length === 0 || window.some((c) => c.lag === 0)) return 'OK';
  // Rule 2: the committed offset went backwards (reset, or a consumer re-reading).
  for (let i = 1; i < window.length; i++) if (window[i]!.offset < window[i - 1]!.offset) return 'REWIND';
  // Rule 3: no commit for longer than the window spans.
  const first = window[0]!;
  const last = window[window.length - 1]!;
  if (nowMs - last.timestampMs > last.timestampMs - first.timestampMs) return 'STOP';
  // Rules 4 and 5 compare commits: with a single commit there is nothing to compare yet (Burrow
  // would report STALL here; we say OK until a second commit arrives, see docs/monitor.md).
  if (window.length < 2) return 'OK';
  // Rule 4: committing, but always the same offset, while there is lag.
  if (window.every((c) => c.offset === first.offset)) return 'STALL';
  // Rule 5: moving, but never gaining on the log end.
  for (let i = 1; i < window.length; i++) if (window[i]!.lag < window[i - 1]!.lag) return 'OK';
  return 'WARN';
}

export function evaluatePartition(p: PartitionInput, nowMs: number): PartitionStatus {
  return {
    topic: p.topic,
    partition: p.partition,
    status: evaluateWindow(p.window, p.currentLag, nowMs),
    start: p.window[0],
    end: p.window[p.window.length - 1],
    currentLag: p.currentLag,
    complete: Math.min(1, p.window.length / p.windowSize),
    owner: p.owner ?? '',
    clientId: p.clientId ?? '',
  };
}

export function evaluateGroup(
  cluster: string,
  group: string,
  partitions: readonly PartitionInput[],
  nowMs: number,
): GroupStatus {
  let status: Status = 'OK';
  let maxlag: PartitionStatus | undefined;
  let totalLag = 0;
  let complete = 0;
  const evaluated = partitions.map((p) => {
    const ps = evaluatePartition(p, nowMs);
    const groupLevel: Status = statusCode(ps.status) > BURROW_STATUS.ERR ? 'ERR' : ps.status;
    if (statusCode(groupLevel) > statusCode(status)) status = groupLevel;
    if (!maxlag || ps.currentLag > maxlag.currentLag) maxlag = ps;
    totalLag += ps.currentLag;
    if (ps.complete === 1) complete++;
    return ps;
  });
  return {
    cluster,
    group,
    status,
    complete: evaluated.length === 0 ? 1 : complete / evaluated.length,
    partitions: evaluated,
    maxlag,
    totalLag,
  };
}
