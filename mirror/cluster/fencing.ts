/**
 * Which transactional ids the leader fences before it hands out a new assignment: KIP-618's zombie
 * fencing round, on kgw's group protocol. Pure: layouts in, ids out (the round itself is
 * fence-producers.ts).
 *
 * A source task's transactional id names (flow, task number) only (work.ts). A task starting with the
 * same number fences its own predecessor (InitProducerId bumps the epoch), which is enough while the
 * number owns the same partitions. When a flow's layout changes (tasks.max, or a partition count
 * that moves partitions between task numbers), a partition can go from old task i to new task j: a
 * zombie of old task i (a worker cut off from the group that has not noticed yet) would go on
 * copying it beside new task j, and nothing fences old task i if i is no longer a task number, or
 * not before new task i starts. Kafka Connect answers this in DistributedHerder: when a connector's
 * task count changes, the leader fences every task of the previous generation
 * (Admin.fenceProducers, one InitProducerId per id) before any task of the new one may start. kgw does
 * the same: the leader fences task ids 0..n-1 of the previous layout of every flow whose layout
 * differs, before its SyncGroup; no worker learns the new assignment before the round succeeded.
 *
 * The previous layout comes from the members: each reports, in its JoinGroup metadata, the layout of
 * the newest assignment it received (assignment-codec.ts); the leader takes the newest generation's.
 * When no member has seen one (the cluster starts, or every worker restarted at once), there is
 * nothing to compare with; Connect would read its task counts from its config topic, which kgw does
 * not keep. The leader then asks the target cluster instead: ListTransactions names every
 * transactional id its coordinators know, and every id of an exactly-once flow of this mirror
 * cluster is fenced (`fencingFromListing`), whatever layout wrote it: one InitProducerId per id,
 * once per cluster start.
 */
import { createHash } from 'node:crypto';
import { transactionalId, type WorkUnit } from './work.js';

/** One flow's source tasks in an assignment: how many, and a digest of which partitions each owns. */
export interface FlowLayout {
  tasks: number;
  digest: string;
}

/** The source-task layout of every flow of one assignment (generation). */
export interface TaskLayout {
  generation: number;
  flows: Record<string, FlowLayout>;
}

/** Ids to fence for one flow: task numbers of its previous layout. */
export interface FlowFencing {
  flow: string;
  tasks: number[];
}

/** The layout of the source units of an assignment (every worker's units together). */
export function taskLayout(generation: number, units: readonly WorkUnit[]): TaskLayout {
  const byFlow = new Map<string, string[]>();
  for (const u of units) {
    if (u.kind !== 'source') continue;
    let lines = byFlow.get(u.flow);
    if (lines === undefined) byFlow.set(u.flow, (lines = []));
    for (const tp of u.partitions) lines.push(`${u.task}\u0000${tp.topic}\u0000${tp.partition}`);
    lines.push(`${u.task}`); // a task without partitions still counts
  }
  const flows: Record<string, FlowLayout> = {};
  for (const [flow, lines] of [...byFlow].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const tasks = new Set(lines.map((l) => l.split('\u0000')[0])).size;
    const digest = createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);
    flows[flow] = { tasks, digest };
  }
  return { generation, flows };
}

/** The newest layout the members report (highest generation); undefined when none has seen one. */
export function newestLayout(reported: readonly (TaskLayout | undefined)[]): TaskLayout | undefined {
  let newest: TaskLayout | undefined;
  for (const l of reported)
    if (l !== undefined && (newest === undefined || l.generation > newest.generation)) newest = l;
  return newest;
}

/**
 * The fencing round before `next` may start: for every flow of `previous` whose layout differs in
 * `next` (task count or partition-to-task map; a flow gone from `next` too), every task number of
 * `previous` (KIP-618 fences the whole previous generation: any old task may hold partitions that
 * move). A flow laid out as before needs nothing: each new task fences its own predecessor, which
 * owned the same partitions. Flows in `next` only have no previous tasks to fence.
 */
export function fencingRound(previous: TaskLayout | undefined, next: TaskLayout): FlowFencing[] {
  if (previous === undefined) return [];
  const out: FlowFencing[] = [];
  for (const [flow, before] of Object.entries(previous.flows).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const after = next.flows[flow];
    if (after !== undefined && after.tasks === before.tasks && after.digest === before.digest) continue;
    out.push({ flow, tasks: Array.from({ length: before.tasks }, (_, i) => i) });
  }
  return out;
}

/**
 * The fencing round when no member knows a previous layout: for each flow, the task numbers of the
 * transactional ids the target cluster lists that are this mirror cluster's ids for that flow
 * (`transactionalId(groupId, {flow, task})` for some task ≥ 0); other ids are left alone.
 */
export function fencingFromListing(
  groupId: string,
  flows: readonly string[],
  listedIds: Iterable<string>,
): FlowFencing[] {
  const listed = [...listedIds];
  const out: FlowFencing[] = [];
  for (const flow of [...flows].sort()) {
    const prefix = transactionalId(groupId, { flow, task: 0 }).slice(0, -1); // "…MirrorSourceConnector-"
    const tasks = listed
      .filter((id) => id.startsWith(prefix) && /^(0|[1-9]\d{0,8})$/.test(id.slice(prefix.length)))
      .map((id) => Number(id.slice(prefix.length)));
    if (tasks.length > 0) out.push({ flow, tasks: [...new Set(tasks)].sort((a, b) => a - b) });
  }
  return out;
}
