/**
 * Pure lag computation: from one cluster snapshot and the per-partition offset→time tables, the
 * lag of every group on every partition in records and seconds, plus the per-group aggregates.
 * The collector, the benchmark and the unit tests all go through these functions.
 */
import { LookupTable } from './lookup-table.js';
import type { ClusterSnapshot, GroupLag, PartitionLag } from './types.js';

/** Per-cluster offset→time tables, keyed `topic\0partition`. */
export class LookupTables {
  private readonly tables = new Map<string, LookupTable>();
  constructor(private readonly limit: number) {}

  static key(topic: string, partition: number): string {
    return `${topic}\0${partition}`;
  }

  get(topic: string, partition: number): LookupTable | undefined {
    return this.tables.get(LookupTables.key(topic, partition));
  }

  get size(): number {
    return this.tables.size;
  }

  /** Records every partition's log end offset at the snapshot's time; forgets partitions that vanished. */
  record(snapshot: ClusterSnapshot): void {
    const seen = new Set<string>();
    for (const [topic, partitions] of snapshot.topics) {
      for (const p of partitions) {
        const key = LookupTables.key(topic, p.partition);
        seen.add(key);
        let table = this.tables.get(key);
        if (!table) this.tables.set(key, (table = new LookupTable(this.limit)));
        table.add({ offset: p.latest, timeMs: snapshot.takenAtMs });
      }
    }
    for (const key of this.tables.keys()) if (!seen.has(key)) this.tables.delete(key);
  }
}

export function computeLag(snapshot: ClusterSnapshot, tables: LookupTables): GroupLag[] {
  const latestIndex = new Map<string, Map<number, number>>();
  for (const [topic, partitions] of snapshot.topics) {
    const m = new Map<number, number>();
    for (const p of partitions) m.set(p.partition, p.latest);
    latestIndex.set(topic, m);
  }
  const now = snapshot.takenAtMs;
  const result: GroupLag[] = [];
  for (const g of snapshot.groups) {
    const partitions: PartitionLag[] = [];
    let totalLag = 0;
    let maxLag = 0;
    let maxLagSeconds: number | undefined;
    for (const [topic, offsets] of g.offsets) {
      const latestByPartition = latestIndex.get(topic);
      if (!latestByPartition) continue; // topic filtered out or deleted
      for (const [partition, committed] of offsets) {
        const latest = latestByPartition.get(partition);
        if (latest === undefined) continue;
        // A commit beyond the log end (a transactional marker not yet visible, or a truncated log)
        // is no lag, never a negative one.
        const lag = Math.max(0, latest - committed);
        const table = tables.get(topic, partition);
        const t =
          lag === 0
            ? { kind: 'zero' as const, seconds: 0 }
            : table
              ? table.timeLag(committed, now)
              : { kind: 'too-few-points' as const, seconds: undefined };
        partitions.push({
          topic,
          partition,
          committed,
          latest,
          lag,
          lagSeconds: t.seconds,
          lagSecondsKind: t.kind,
        });
        totalLag += lag;
        if (lag > maxLag) maxLag = lag;
        if (t.seconds !== undefined && (maxLagSeconds === undefined || t.seconds > maxLagSeconds))
          maxLagSeconds = t.seconds;
      }
    }
    result.push({
      cluster: snapshot.cluster,
      group: g.group,
      simple: g.protocolType === '',
      state: g.state,
      members: g.members,
      partitions,
      totalLag,
      maxLag,
      maxLagSeconds,
    });
  }
  return result;
}
