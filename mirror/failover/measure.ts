/**
 * How many records each planned partition would make the group read again: the target partition
 * is read from the planned offset, record by record, until the count is final (reread.ts) or
 * --max-scan records were read. The count is taken from the records themselves (their provenance
 * headers), not estimated from offsets, so it is exact whatever the checkpoint's precision.
 */
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import type { Progress } from './facts.js';
import { withReReads, type GroupFacts, type GroupPlan, type ReReadCount } from './plan.js';
import { ReReadCounter } from './reread.js';
import { scanPartition } from './scan.js';

export async function measureReReads(
  target: ClusterClient,
  facts: GroupFacts,
  plan: GroupPlan,
  opts: { maxScan: number; progress: Progress },
): Promise<GroupPlan> {
  const byKey = new Map(facts.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
  const counts = new Map<string, ReReadCount>();
  for (const row of plan.rows) {
    const p = byKey.get(tpKey(row.topic, row.partition));
    if (row.offset === undefined || p === undefined) continue;
    opts.progress(
      `group ${plan.group}: counting re-reads in ${plan.target} ${row.topic}-${row.partition} from ${row.offset}`,
    );
    const counter = new ReReadCounter({
      source: facts.source,
      target: facts.target,
      sourceTopic: p.sourceTopic,
      partition: p.partition,
      sourceOffset: row.sourceOffset,
      // With the source down, the checkpoint stands for the copies too: kgw's checkpoint connector
      // translates the copies of the target's records a group read (mirror/checkpoint/copy-index.ts),
      // so the target's own records from the checkpoint on are the ones the group has not read.
      copiesResumeAt:
        p.copiesResumeAt ?? (!facts.sourceReachable && p.checkpoint !== undefined ? row.offset : undefined),
      sourceReachable: facts.sourceReachable,
    });
    const scan = await scanPartition(
      target,
      { topic: row.topic, partition: row.partition, from: row.offset, to: row.targetEnd },
      (offset, origin) => counter.add(offset, origin),
      opts.maxScan,
    );
    counts.set(`${row.topic}-${row.partition}`, counter.result(scan.complete));
  }
  return withReReads(plan, counts);
}
