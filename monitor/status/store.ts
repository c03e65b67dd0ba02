/**
 * The sliding windows the Burrow rules look at: per cluster, group and partition, the last N
 * commits the monitor observed.
 *
 * Burrow reads every commit from __consumer_offsets. We poll OffsetFetch instead, which returns
 * the committed offset but not when it was committed, so one poll becomes a window entry when:
 *  - the committed offset differs from the window's last entry (a commit happened), or
 *  - it is unchanged but a live member owns the partition: consumers commit periodically (auto
 *    commit every 5 s by default), so an owned partition whose offset does not move is treated as
 *    re-committing the same offset — Burrow's STALL case.
 * An unchanged offset that no live member owns adds nothing, so time passes without commits and
 * rule 3 (STOP) applies. docs/monitor.md explains what this cannot distinguish.
 */
import type { GroupLag } from '../lag/types.js';
import type { GroupOffsets } from '../lag/types.js';
import { evaluateGroup, type Commit, type GroupStatus, type PartitionInput } from './evaluator.js';

interface PartitionWindow {
  readonly topic: string;
  readonly partition: number;
  readonly commits: Commit[];
  currentLag: number;
  owner: string;
  clientId: string;
}

export class StatusStore {
  /** cluster → group → `topic\0partition` → window */
  private readonly windows = new Map<string, Map<string, Map<string, PartitionWindow>>>();
  /** cluster → time of the last cycle folded in; "now" for the STOP rule. */
  private readonly observedAt = new Map<string, number>();

  constructor(readonly windowSize: number) {}

  clusters(): string[] {
    return [...this.windows.keys()];
  }

  groups(cluster: string): string[] | undefined {
    const c = this.windows.get(cluster);
    return c ? [...c.keys()].sort() : undefined;
  }

  /** Folds one cycle's lag into the windows. `groups` carries member ownership. */
  observe(cluster: string, atMs: number, lags: readonly GroupLag[], groups: readonly GroupOffsets[]): void {
    let byGroup = this.windows.get(cluster);
    if (!byGroup) this.windows.set(cluster, (byGroup = new Map()));
    const offsetsByGroup = new Map(groups.map((g) => [g.group, g]));
    const seenGroups = new Set<string>();
    for (const gl of lags) {
      seenGroups.add(gl.group);
      const g = offsetsByGroup.get(gl.group);
      let parts = byGroup.get(gl.group);
      if (!parts) byGroup.set(gl.group, (parts = new Map()));
      const seen = new Set<string>();
      for (const p of gl.partitions) {
        const key = `${p.topic}\0${p.partition}`;
        seen.add(key);
        let w = parts.get(key);
        if (!w) {
          w = { topic: p.topic, partition: p.partition, commits: [], currentLag: 0, owner: '', clientId: '' };
          parts.set(key, w);
        }
        const owner = g?.owners?.get(p.topic)?.get(p.partition);
        const owned = g?.owners ? owner !== undefined : (g?.members ?? 0) > 0;
        w.owner = owner?.host ?? '';
        w.clientId = owner?.clientId ?? '';
        w.currentLag = p.lag;
        const last = w.commits[w.commits.length - 1];
        if (!last || last.offset !== p.committed || owned) {
          w.commits.push({ offset: p.committed, timestampMs: atMs, lag: p.lag });
          if (w.commits.length > this.windowSize) w.commits.shift();
        }
      }
      for (const key of parts.keys()) if (!seen.has(key)) parts.delete(key);
    }
    for (const group of byGroup.keys()) if (!seenGroups.has(group)) byGroup.delete(group);
    this.observedAt.set(cluster, atMs);
  }

  /** Evaluates one group now; undefined when the cluster or group is unknown (Burrow's 404). */
  evaluate(cluster: string, group: string): GroupStatus | undefined {
    const parts = this.windows.get(cluster)?.get(group);
    if (!parts) return undefined;
    const now = this.observedAt.get(cluster) ?? Date.now();
    const inputs: PartitionInput[] = [...parts.values()]
      .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
      .map((w) => ({
        topic: w.topic,
        partition: w.partition,
        window: w.commits,
        windowSize: this.windowSize,
        currentLag: w.currentLag,
        owner: w.owner,
        clientId: w.clientId,
      }));
    return evaluateGroup(cluster, group, inputs, now);
  }

  evaluateAll(cluster: string): GroupStatus[] {
    return (this.groups(cluster) ?? []).map((g) => this.evaluate(cluster, g)!);
  }
}
