/**
 * Bounded reads of one partition for failover: a forward scan between two offsets that a visitor
 * can stop, and the position on the other cluster where a group's unread copies resume (from the
 * copies' provenance headers). Memory stays bounded: records are looked at one Fetch response at a
 * time and nothing is kept.
 *
 * Read read_committed (KIP-98), whatever the flows' modes: a consumer group reads the copies it moves
 * between, and exactly-once copies of aborted transactions (a killed mirror leaves them before the
 * replayed ones) are records no read_committed consumer ever got. Searching copies among them would
 * take an aborted copy's origin as read (the group resumes past originals it never saw); counting
 * re-reads among them would count records the group will not be given. At-least-once copies are never
 * transactional, so both levels see the same copies; a scan then only ends earlier, at the last stable
 * offset (as of its start) instead of the high watermark, when some producer's transaction is open
 * on the partition — a read_committed consumer cannot read further either, and the scan does not
 * wait (up to transaction.timeout.ms) for it to end.
 */
import type { ClusterClient } from '../../client/cluster.js';
import { NativeFetcher } from '../../client/fetcher.js';
import { topicOffsets } from '../../client/read-to-end.js';
import { originOf, type Origin } from './origin.js';

export interface ScanResult {
  scanned: number;
  /** True when the scan reached `to` or the visitor stopped it; false when `maxRecords` ran out. */
  complete: boolean;
}

/**
 * Visits the committed records of `topic`-`partition` in [from, to) in offset order until `visit`
 * returns true, `to` (or the partition's last stable offset, if lower) is reached or `maxRecords`
 * were visited.
 */
export async function scanPartition(
  cluster: ClusterClient,
  where: { topic: string; partition: number; from: bigint; to: bigint },
  visit: (offset: bigint, origin: Origin | undefined) => boolean,
  maxRecords: number,
): Promise<ScanResult> {
  const { topic, partition, from } = where;
  if (from >= where.to) return { scanned: 0, complete: true };
  const to = min(where.to, await lastStableOffset(cluster, topic, partition));
  if (from >= to) return { scanned: 0, complete: true };
  const fetcher = new NativeFetcher(cluster, {
    maxBytes: 4 << 20,
    partitionMaxBytes: 4 << 20,
    maxWaitMs: 100,
    isolationLevel: 'read_committed',
  });
  await fetcher.assign(topic, partition, from);
  let scanned = 0;
  // The fetcher is not disconnected: that would close the caller's cluster client.
  for (;;) {
    for (const b of await fetcher.poll()) {
      for (const r of b.records) {
        if (r.offset < from) continue;
        if (r.offset >= to) return { scanned, complete: true };
        if (scanned >= maxRecords) return { scanned, complete: false };
        scanned++;
        if (visit(r.offset, originOf(r.headers))) return { scanned, complete: true };
      }
      if (b.nextOffset >= to) return { scanned, complete: true };
    }
  }
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Where read_committed reads of the partition end now (ListOffsets READ_COMMITTED). */
async function lastStableOffset(cluster: ClusterClient, topic: string, partition: number): Promise<bigint> {
  const p = (
    await topicOffsets(cluster, topic, { isolationLevel: 'read_committed', retryForMs: 10_000 })
  ).find((o) => o.partition === partition);
  if (p === undefined) throw new Error(`${topic}-${partition} does not exist`);
  return p.high;
}

export interface CopiesQuery {
  /** The partition on the cluster the group leaves, holding copies of `home`'s records. */
  topic: string;
  partition: number;
  /** The group's committed offset there. */
  committed: bigint;
  low: bigint;
  high: bigint;
  /** The cluster the copies came from, and the topic they came from there. */
  home: string;
  homeTopic: string;
}

const isCopyFrom = (o: Origin | undefined, q: CopiesQuery): o is Origin =>
  o !== undefined && o.cluster === q.home && o.topic === q.homeTopic && o.partition === q.partition;

/**
 * Where the group's unread copies of `home`'s records resume on `home`: the origin offset of the first
 * copy at or after the committed offset; if the group has read every copy there is, one past the
 * origin offset of the last copy before it (searched backwards in growing windows); undefined when
 * the partition holds no copies from `home` at all.
 */
export async function copiesResumeAt(
  cluster: ClusterClient,
  q: CopiesQuery,
  maxRecords: number,
): Promise<{ offset?: bigint; complete: boolean }> {
  let budget = maxRecords;
  let next: bigint | undefined;
  const ahead = await scanPartition(
    cluster,
    { topic: q.topic, partition: q.partition, from: q.committed, to: q.high },
    (_offset, origin) => {
      if (!isCopyFrom(origin, q)) return false;
      next = origin.offset;
      return true;
    },
    budget,
  );
  if (next !== undefined) return { offset: next, complete: true };
  if (!ahead.complete) return { complete: false };
  budget -= ahead.scanned;

  let end = q.committed < q.high ? q.committed : q.high;
  for (let window = 1000n; end > q.low; window *= 4n) {
    const start = end - window > q.low ? end - window : q.low;
    let last: bigint | undefined;
    const back = await scanPartition(
      cluster,
      { topic: q.topic, partition: q.partition, from: start, to: end },
      (_offset, origin) => {
        if (isCopyFrom(origin, q)) last = origin.offset;
        return false;
      },
      budget,
    );
    if (!back.complete) return { complete: false }; // a later copy may lie in the unread part
    if (last !== undefined) return { offset: last + 1n, complete: true };
    budget -= back.scanned;
    end = start;
  }
  return { complete: true };
}
