/**
 * Gathering what failover planning needs (plan.ts's GroupFacts) from both clusters, read-only:
 *
 *  - on the target: the flow's MM2 checkpoints (`<source>.checkpoints.internal`), the mirror's
 *    source positions (`kgw-mirror-offsets.<source>.internal`, for the replication lag), groups and
 *    their states (ListGroups), the group's offsets there, and each partition's log start and end;
 *  - on the source, when it answers: its groups, the group's committed offsets, each partition's end,
 *    and for partitions holding copies of the target's records, where the group's unread copies
 *    resume (scan.ts). Which partitions hold such copies is known from the reverse flow's offset
 *    syncs: the reverse flow writes at least one for every partition it has copied from.
 *
 * A source that does not answer is reported (sourceReachable false), not an error: that is the
 * disaster this command is for.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { tpKey, type ClusterClient } from '../../client/cluster.js';
import { fetchCommittedOffsets, listGroups, type ListedGroup } from '../../client/group-state.js';
import { readTopicToEnd, topicOffsets, type PartitionOffsets } from '../../client/read-to-end.js';
import { decodeCheckpoint, decodeOffsetSync } from '../../mm2/formats.js';
import { checkpointsTopic, offsetSyncsTopic, positionsTopic } from '../../mm2/replication-policy.js';
import { decodePosition, syncedPosition } from '../source/position-store.js';
import { sourceTopicName, targetTopicName, type FailoverClusters } from './clusters.js';
import type { CheckpointFact, GroupFacts, PartitionFacts } from './plan.js';
import { copiesResumeAt } from './scan.js';

export type Progress = (line: string) => void;

export interface Sides {
  clusters: FailoverClusters;
  source: ClusterClient;
  target: ClusterClient;
}

export interface RunFacts {
  sourceReachable: boolean;
  /** Why the source was taken as unreachable. */
  sourceError?: string;
  groups: GroupFacts[];
  /** Facts about the whole run worth telling the operator. */
  notes: string[];
}

interface TopicCheckpoint extends CheckpointFact {
  topic: string;
  partition: number;
}

/** A failure that stops the whole run; the message says what to do. */
export class FailoverError extends Error {
  override readonly name = 'FailoverError';
}

async function topicExists(cluster: ClusterClient, topic: string): Promise<boolean> {
  const t = (await cluster.refresh([topic])).find((x) => x.name === topic);
  return t !== undefined && t.errorCode === ErrorCode.NONE;
}

/** Last checkpoint per group and target partition (the topic is compacted by that key). */
async function readCheckpoints(
  s: Sides,
  progress: Progress,
): Promise<Map<string, Map<string, TopicCheckpoint>>> {
  const topic = checkpointsTopic(s.clusters.source.alias);
  const where = `${topic} on ${s.clusters.target.alias}`;
  if (!(await topicExists(s.target, topic)))
    throw new FailoverError(
      `${where} does not exist: the mirror never wrote checkpoints for the flow ` +
        `${s.clusters.source.alias}->${s.clusters.target.alias}. Is that flow enabled, with emit.checkpoints.enabled?`,
    );
  progress(`reading ${where}`);
  const out = new Map<string, Map<string, TopicCheckpoint>>();
  let bad = 0;
  await readTopicToEnd(
    s.target,
    topic,
    (_p, r) => {
      if (r.key === null || r.value === null) return;
      let c;
      try {
        c = decodeCheckpoint(r.key, r.value);
      } catch {
        bad++;
        return;
      }
      let m = out.get(c.group);
      if (m === undefined) out.set(c.group, (m = new Map()));
      m.set(tpKey(c.topic, c.partition), {
        topic: c.topic,
        partition: c.partition,
        upstream: c.upstreamOffset,
        downstream: c.downstreamOffset,
        writtenAtMs: r.timestamp,
      });
    },
    { retryForMs: 10_000 },
  );
  if (bad > 0) progress(`warning: ${bad} record(s) in ${where} are not MM2 checkpoints; skipped`);
  return out;
}

/** The mirror's next source offset per source partition (kgw's own positions topic); empty if absent. */
async function readMirroredPositions(s: Sides): Promise<Map<string, bigint>> {
  const topic = positionsTopic(s.clusters.source.alias);
  const out = new Map<string, bigint>();
  if (!(await topicExists(s.target, topic))) return out;
  await readTopicToEnd(
    s.target,
    topic,
    (_p, r) => {
      if (r.key === null) return;
      try {
        const p = decodePosition(r.key, r.value);
        if (p.offset === undefined) out.delete(tpKey(p.topic, p.partition));
        else out.set(tpKey(p.topic, p.partition), syncedPosition({ ...p, offset: p.offset }));
      } catch {
        // not a position record: the lag stays unknown for it
      }
    },
    // read_committed: exactly-once mode writes positions in transactions.
    { retryForMs: 10_000, isolationLevel: 'read_committed' },
  );
  return out;
}

/**
 * Target partitions (named as on the target) from which the reverse flow target->source has copied at
 * least one record, from its offset syncs; undefined when those cannot be read (then every partition
 * is searched for copies).
 */
async function reverseCopiedPartitions(s: Sides): Promise<Set<string> | undefined> {
  const { source, target, reverseSyncsLocation } = s.clusters;
  // The reverse flow's syncs: on its source (our target) by default, else on its target (our source).
  const onTarget = reverseSyncsLocation === 'source';
  const cluster = onTarget ? s.target : s.source;
  const topic = offsetSyncsTopic({
    source: target.alias,
    target: source.alias,
    location: reverseSyncsLocation,
  });
  if (!(await topicExists(cluster, topic))) return new Set();
  const out = new Set<string>();
  await readTopicToEnd(
    cluster,
    topic,
    (_p, r) => {
      if (r.key === null || r.value === null) return;
      try {
        const sync = decodeOffsetSync(r.key, r.value);
        out.add(tpKey(sync.topic, sync.partition));
      } catch {
        // not an offset sync
      }
    },
    { retryForMs: 10_000 },
  );
  return out;
}

/** Groups named by `pattern`: an exact name, or a regular expression matched against whole names. */
export function selectGroups(pattern: string, known: Iterable<string>): string[] {
  const names = [...new Set(known)].sort();
  if (names.includes(pattern)) return [pattern];
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new FailoverError(
      `--group "${pattern}" is not a valid regular expression: ${(e as Error).message}`,
    );
  }
  const matched = names.filter((n) => re.test(n));
  // A plain name nobody knows: plan it anyway, so the refusal says why there is nothing to do.
  if (matched.length === 0 && /^[\w.-]+$/.test(pattern)) return [pattern];
  return matched;
}

class OffsetsCache {
  private readonly topics = new Map<string, Promise<PartitionOffsets[] | undefined>>();
  constructor(private readonly cluster: ClusterClient) {}
  /** The partition's log start and end, or undefined when the topic or partition does not exist. */
  async get(topic: string, partition: number): Promise<PartitionOffsets | undefined> {
    let t = this.topics.get(topic);
    if (t === undefined) {
      t = topicOffsets(this.cluster, topic, { retryForMs: 10_000 }).catch(() => undefined);
      this.topics.set(topic, t);
    }
    return (await t)?.find((p) => p.partition === partition);
  }
}

export interface GatherOptions {
  groupPattern: string;
  /** Records a copies search may read per partition. */
  maxScan: number;
  progress: Progress;
  nowMs: number;
}

export async function gatherFacts(s: Sides, o: GatherOptions): Promise<RunFacts> {
  const { source, target, policy } = s.clusters;
  const S = source.alias;
  const T = target.alias;
  try {
    await s.target.refresh([]);
  } catch (e) {
    throw new FailoverError(
      `cannot reach ${T} (${target.bootstrapServers.join(',')}): ${(e as Error).message}. ` +
        `The target cluster must be up to take the group over.`,
    );
  }
  let sourceError: string | undefined;
  try {
    await s.source.refresh([]);
  } catch (e) {
    sourceError = (e as Error).message;
    o.progress(`${S} (${source.bootstrapServers.join(',')}) does not answer: ${sourceError}`);
  }
  const reachable = sourceError === undefined;

  const checkpoints = await readCheckpoints(s, o.progress);
  const targetGroups = await listGroups(s.target);
  const sourceGroups = reachable ? await listGroups(s.source) : new Map<string, ListedGroup>();
  const groups = selectGroups(o.groupPattern, [...checkpoints.keys(), ...sourceGroups.keys()]);
  if (groups.length === 0)
    throw new FailoverError(
      `no consumer group matches --group "${o.groupPattern}" among the groups with checkpoints on ${T}` +
        (reachable ? ` or with offsets on ${S}` : ` (${S} is unreachable)`),
    );
  o.progress(`${groups.length} group(s): ${groups.join(', ')}`);
  const mirrored = await readMirroredPositions(s);
  const reverseCopied = reachable ? await reverseCopiedPartitions(s).catch(() => undefined) : undefined;
  const targetOffsets = new OffsetsCache(s.target);
  const sourceOffsets = new OffsetsCache(s.source);

  const out: GroupFacts[] = [];
  for (const group of groups) {
    o.progress(`group ${group}: reading offsets`);
    const partitions = new Map<string, PartitionFacts>();
    const targetCommitted = new Map(
      (await fetchCommittedOffsets(s.target, group)).map((c) => [tpKey(c.topic, c.partition), c.offset]),
    );
    const row = async (
      topic: string,
      partition: number,
      sourceTopic: string,
    ): Promise<PartitionFacts | undefined> => {
      const key = tpKey(topic, partition);
      const existing = partitions.get(key);
      if (existing) return existing;
      const t = await targetOffsets.get(topic, partition);
      if (t === undefined) return undefined; // not on the target: not mirrored there
      const sourceHigh = reachable ? (await sourceOffsets.get(sourceTopic, partition))?.high : undefined;
      const p: PartitionFacts = {
        topic,
        partition,
        sourceTopic,
        target: { low: t.low, high: t.high, committed: targetCommitted.get(key) },
        replication: { sourceHigh, mirrored: mirrored.get(tpKey(sourceTopic, partition)) },
      };
      partitions.set(key, p);
      return p;
    };
    const notOnTarget = new Set<string>();
    if (reachable) {
      for (const c of await fetchCommittedOffsets(s.source, group)) {
        const topic = targetTopicName(policy, S, T, c.topic);
        const p = await row(topic, c.partition, c.topic);
        if (p === undefined) notOnTarget.add(c.topic);
        else p.committed = c.offset;
      }
    }
    for (const c of checkpoints.get(group)?.values() ?? []) {
      const p = await row(c.topic, c.partition, sourceTopicName(policy, S, T, c.topic));
      if (p !== undefined)
        p.checkpoint = { upstream: c.upstream, downstream: c.downstream, writtenAtMs: c.writtenAtMs };
    }
    if (notOnTarget.size > 0)
      o.progress(`group ${group}: topics not on ${T}, left out: ${[...notOnTarget].sort().join(', ')}`);
    if (reachable) {
      for (const p of partitions.values()) {
        if (p.committed === undefined) continue;
        if (reverseCopied !== undefined && !reverseCopied.has(tpKey(p.topic, p.partition))) continue;
        const range = await sourceOffsets.get(p.sourceTopic, p.partition);
        if (range === undefined) continue;
        o.progress(
          `group ${group}: looking for copies of ${T}'s records in ${S} ${p.sourceTopic}-${p.partition}`,
        );
        const found = await copiesResumeAt(
          s.source,
          {
            topic: p.sourceTopic,
            partition: p.partition,
            committed: p.committed,
            low: range.low,
            high: range.high,
            home: T,
            homeTopic: p.topic,
          },
          o.maxScan,
        );
        if (found.offset !== undefined) p.copiesResumeAt = found.offset;
        else if (!found.complete) p.copiesSearchIncomplete = true;
      }
    }
    out.push({
      group,
      source: S,
      target: T,
      sourceReachable: reachable,
      sourceState: sourceGroups.get(group)?.state,
      targetState: targetGroups.get(group)?.state,
      partitions: [...partitions.values()],
      nowMs: o.nowMs,
    });
  }
  const notes = reachable
    ? []
    : [
        `${S} is unreachable: only groups with checkpoints on ${T} are known. A group the mirror never ` +
          `checkpointed (for instance one that reads only copies of ${T}'s own records) is not listed.`,
      ];
  return { sourceReachable: reachable, sourceError, groups: out, notes };
}
