/**
 * Failover planning, pure: from what was read off both clusters (GroupFacts, gathered by facts.ts)
 * to the offset a consumer group gets on the target for each partition, and the reasons to refuse
 * or to warn. No I/O here.
 *
 * Where a partition's position on the target comes from:
 *
 *  - checkpoint: the records the group read on the source that the mirror copied source → target.
 *    The flow's MM2 checkpoint (`<source>.checkpoints.internal` on the target) pairs the group's
 *    committed offset on the source (upstream) with its translation (downstream); the downstream
 *    offset is used as is, as Apache MirrorMaker 2's RemoteClusterUtils.translateOffsets and group
 *    offset sync use it. How exact it is, is the mirror's business (issue #13, item 1); measure.ts
 *    counts what it would make the group read again.
 *  - copies: records the group read on the source that are copies of records written on the
 *    target (active-active: the reverse flow copied them there). No checkpoint covers them (the
 *    forward flow does not copy a record back where it came from), but each copy names its original
 *    (provenance headers), so the position on the target is the origin offset of the first copy at
 *    or after the group's committed offset on the source. This needs the source (failback, or a
 *    planned failover); when the source is down only checkpoints are known, and kgw's checkpoint
 *    connector writes them for these partitions too, from the same headers (issue #13): a record
 *    written on the target at or after such a checkpoint has not been read by the group. A
 *    checkpoint written by Apache MirrorMaker 2 or an older kgw does not cover copies.
 *
 * When both apply (both clusters write to the partition) the lower offset is taken: the group may
 * read some records again but skips none.
 */

export interface CheckpointFact {
  /** The group's committed offset on the source when the checkpoint was written. */
  upstream: bigint;
  /** Its translation on the target. */
  downstream: bigint;
  /** When the checkpoint was written (record timestamp, ms since the epoch). */
  writtenAtMs: number;
}

export interface PartitionFacts {
  /** Topic name on the target. */
  topic: string;
  partition: number;
  /** Topic name on the source (differs under DefaultReplicationPolicy). */
  sourceTopic: string;
  /** The group's committed offset on the source now; undefined when unreachable or not committed. */
  committed?: bigint;
  checkpoint?: CheckpointFact;
  /** Position on the target of the records written there that the group has not read as copies. */
  copiesResumeAt?: bigint;
  /** The search for copies stopped at --max-scan before it could tell. */
  copiesSearchIncomplete?: boolean;
  /** The target partition: log start, end, and the group's current offset there. */
  target: { low: bigint; high: bigint; committed?: bigint };
  /** Source end offset and the next source offset the mirror will copy; undefined parts are unknown. */
  replication: { sourceHigh?: bigint; mirrored?: bigint };
}

export interface GroupFacts {
  group: string;
  source: string;
  target: string;
  sourceReachable: boolean;
  /** The group's state on each side from ListGroups; undefined when the cluster has no such group. */
  sourceState?: string;
  targetState?: string;
  partitions: PartitionFacts[];
  nowMs: number;
}

export type Basis = 'checkpoint' | 'copies' | 'checkpoint+copies' | 'none';

export interface PlanRow {
  topic: string;
  partition: number;
  /** The group's position on the source: committed now, or as of the checkpoint when unreachable. */
  sourceOffset?: bigint;
  sourceOffsetFrom: 'source' | 'checkpoint';
  /** Offset to commit on the target; undefined: nothing to translate, the partition is left alone. */
  offset?: bigint;
  basis: Basis;
  checkpointAgeMs?: number;
  /** Source records not yet copied to the target; undefined when unknown (source unreachable). */
  replicationLag?: bigint;
  targetCommitted?: bigint;
  targetEnd: bigint;
  /** Filled by measure.ts: records at or after `offset` the group has already read on the source. */
  reRead?: ReReadCount;
}

export interface ReReadCount {
  count: number;
  /** False when the scan stopped at its limit before the count was final (count is a lower bound). */
  complete: boolean;
  /** Records written on the target seen after `offset` whose status cannot be known (source down). */
  unknownLocal: number;
}

export interface GroupPlan {
  group: string;
  source: string;
  target: string;
  rows: PlanRow[];
  /** Set when nothing may be committed for this group; says why and what to do. */
  refusal?: string;
  warnings: string[];
}

/** Groups in these states have no members: offsets may be committed from outside (Kafka's rule). */
const IDLE_STATES = new Set(['Empty', 'Dead']);

export const isIdle = (state: string | undefined): boolean => state === undefined || IDLE_STATES.has(state);

const min = (a: bigint | undefined, b: bigint | undefined): bigint | undefined =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(s / 3600);
  return h < 48 ? `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(h / 24)}d`;
}

const tp = (r: { topic: string; partition: number }): string => `${r.topic}-${r.partition}`;

function examples<T>(items: T[], show: (t: T) => string, max = 3): string {
  const shown = items.slice(0, max).map(show).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function planRow(p: PartitionFacts, f: GroupFacts, warnings: string[]): PlanRow {
  const fromCheckpoint = p.checkpoint?.downstream;
  let offset = min(fromCheckpoint, p.copiesResumeAt);
  const basis: Basis =
    fromCheckpoint !== undefined && p.copiesResumeAt !== undefined
      ? 'checkpoint+copies'
      : fromCheckpoint !== undefined
        ? 'checkpoint'
        : p.copiesResumeAt !== undefined
          ? 'copies'
          : 'none';
  if (offset !== undefined && offset < p.target.low) {
    warnings.push(
      `${tp(p)}: the translated offset ${offset} is before ${f.target}'s log start ${p.target.low} ` +
        `(retention or DeleteRecords removed those records there): the group starts at ${p.target.low}`,
    );
    offset = p.target.low;
  } else if (offset !== undefined && offset > p.target.high) {
    warnings.push(
      `${tp(p)}: the translated offset ${offset} is beyond ${f.target}'s end ${p.target.high} ` +
        `(the topic was re-created or truncated on ${f.target}?): the group starts at the end`,
    );
    offset = p.target.high;
  }
  const { sourceHigh, mirrored } = p.replication;
  return {
    topic: p.topic,
    partition: p.partition,
    sourceOffset: p.committed ?? p.checkpoint?.upstream,
    sourceOffsetFrom: p.committed !== undefined ? 'source' : 'checkpoint',
    offset,
    basis,
    checkpointAgeMs: p.checkpoint === undefined ? undefined : f.nowMs - p.checkpoint.writtenAtMs,
    replicationLag:
      sourceHigh === undefined || mirrored === undefined
        ? undefined
        : sourceHigh > mirrored
          ? sourceHigh - mirrored
          : 0n,
    targetCommitted: p.target.committed,
    targetEnd: p.target.high,
  };
}

/** The plan for one group: rows in topic/partition order, a refusal if any, and warnings. */
export function planGroup(f: GroupFacts): GroupPlan {
  const warnings: string[] = [];
  const partitions = [...f.partitions].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  const rows = partitions.map((p) => planRow(p, f, warnings));
  const plan: GroupPlan = { group: f.group, source: f.source, target: f.target, rows, warnings };

  if (!isIdle(f.targetState)) {
    plan.refusal =
      `group ${f.group} has active members on ${f.target} (state ${f.targetState}): its offsets ` +
      `cannot be changed under live consumers. Stop the group's consumers on ${f.target} (or wait ` +
      `until their sessions time out), then run this again.`;
  } else if (!rows.some((r) => r.offset !== undefined)) {
    plan.refusal = f.sourceReachable
      ? `nothing to translate for group ${f.group}: it has no checkpoint in ${f.source}.checkpoints.internal ` +
        `on ${f.target} and no copied records to follow. Check that the flow ${f.source}->${f.target} is ` +
        `enabled with emit.checkpoints.enabled and that its 'groups' setting matches the group.`
      : `nothing to translate for group ${f.group}: ${f.source} is unreachable and ${f.target} holds no ` +
        `checkpoint for the group in ${f.source}.checkpoints.internal.`;
  }

  if (!f.sourceReachable) {
    const ages = rows.flatMap((r) => (r.checkpointAgeMs === undefined ? [] : [r.checkpointAgeMs]));
    const newest = ages.length > 0 ? formatAge(Math.min(...ages)) : 'never';
    const oldest = ages.length > 0 ? formatAge(Math.max(...ages)) : 'never';
    warnings.push(
      `${f.source} is unreachable: using the last checkpoints found on ${f.target} (newest written ` +
        `${newest} ago, oldest ${oldest} ago). Commits the group made on ${f.source} after them, and ` +
        `records ${f.source} had not copied to ${f.target}, are not known here.`,
    );
  } else if (!isIdle(f.sourceState)) {
    warnings.push(
      `group ${f.group} still has members on ${f.source} (state ${f.sourceState}): it goes on consuming ` +
        `there and what it reads after this plan is not carried over. Stop its consumers on ${f.source} first.`,
    );
  }

  const stale = partitions.filter(
    (p) => p.committed !== undefined && p.checkpoint !== undefined && p.checkpoint.upstream !== p.committed,
  );
  if (stale.length > 0)
    warnings.push(
      `the checkpoint differs from the group's commit on ${f.source} for ${stale.length} partition(s) ` +
        `(${examples(stale, (p) => `${tp(p)}: checkpoint at ${p.checkpoint!.upstream}, committed ${p.committed}`)}). ` +
        `The mirror writes checkpoints every emit.checkpoints.interval.seconds: run this again after ` +
        `the next one.`,
    );

  const unsearched = partitions.filter((p) => p.copiesSearchIncomplete === true);
  if (unsearched.length > 0)
    warnings.push(
      `the search for copies of ${f.target}'s records stopped at --max-scan on ${unsearched.length} ` +
        `partition(s) (${examples(unsearched, tp)}): records written on ${f.target} there are not ` +
        `accounted for. Run again with a larger --max-scan.`,
    );

  const untranslated = rows.filter((r) => r.offset === undefined);
  if (untranslated.length > 0)
    warnings.push(
      `no translation for ${untranslated.length} partition(s) (${examples(untranslated, tp)}): no checkpoint ` +
        `and no copies to follow (is the topic mirrored ${f.source}->${f.target}, and has the mirror caught ` +
        `up with the group?). The group's offsets there are left as they are on ${f.target}.`,
    );

  const lagging = rows.filter((r) => r.replicationLag !== undefined && r.replicationLag > 0n);
  if (lagging.length > 0) {
    const total = lagging.reduce((s, r) => s + r.replicationLag!, 0n);
    warnings.push(
      `replication ${f.source}->${f.target} is behind by ${total} record(s) on ${lagging.length} ` +
        `partition(s) (${examples(lagging, (r) => `${tp(r)}: ${r.replicationLag}`)}): those records are ` +
        `not on ${f.target} yet. They reach the group once the mirror copies them; wait for it to catch ` +
        `up before switching producers over if ${f.source} is about to go away.`,
    );
  }
  return plan;
}

/** Adds measured re-read counts to a plan, and the warning about records whose status is unknown. */
export function withReReads(plan: GroupPlan, counts: Map<string, ReReadCount>): GroupPlan {
  const rows = plan.rows.map((r) => ({ ...r, reRead: counts.get(tp(r)) ?? r.reRead }));
  const unknown = rows.filter((r) => (r.reRead?.unknownLocal ?? 0) > 0);
  const warnings = [...plan.warnings];
  if (unknown.length > 0)
    warnings.push(
      `${unknown.length} partition(s) also hold records written on ${plan.target} itself ` +
        `(${examples(unknown, (r) => `${tp(r)}: ${r.reRead!.unknownLocal} after the new offset`)}); with ` +
        `${plan.source} unreachable, which of them the group already read there as copies cannot be known: ` +
        `those after the new offset are read (perhaps again), and any before it that ${plan.source} had ` +
        `not yet delivered to the group are not.`,
    );
  return { ...plan, rows, warnings };
}

/** The offsets to commit for a plan without a refusal. */
export function offsetsToCommit(plan: GroupPlan): { topic: string; partition: number; offset: bigint }[] {
  if (plan.refusal !== undefined) return [];
  return plan.rows.flatMap((r) =>
    r.offset === undefined ? [] : [{ topic: r.topic, partition: r.partition, offset: r.offset }],
  );
}
