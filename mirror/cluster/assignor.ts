/**
 * The leader's assignment, eager style (Kafka Connect's EagerAssignor, the protocol Connect used
 * before KIP-415): every member gives up everything before the rebalance, and the leader deals all
 * units afresh. Pure: members and units in, one assignment per member out. No clock is needed:
 * eager rebalancing has no delayed reassignment (that is IncrementalCooperativeAssignor's
 * scheduled.rebalance.max.delay.ms, which kgw does not implement).
 *
 * Dealing: members sorted by worker id (then member id), source tasks first, round-robin in
 * (flow, task) order, then the checkpoint and heartbeat roles continuing the same rotation, so the
 * roles land on the workers with fewer tasks. Members whose configuration hash differs from the
 * leader's get nothing and error config_mismatch (Connect's leader likewise refuses workers that
 * lag its configuration).
 */
import type { Assignment, MemberMetadata, WorkerAssignment } from './assignment-codec.js';
import type { WorkUnit } from './work.js';

export interface Member extends MemberMetadata {
  memberId: string;
}

export interface AssignInput {
  generation: number;
  leader: Member;
  members: readonly Member[];
  units: readonly WorkUnit[];
}

/** One Assignment per member id (the SyncGroup payload of each). */
export function assign(input: AssignInput): Map<string, Assignment> {
  const byWorker = (a: Member, b: Member): number =>
    a.workerId === b.workerId ? cmp(a.memberId, b.memberId) : cmp(a.workerId, b.workerId);
  const eligible = input.members.filter((m) => m.configHash === input.leader.configHash).sort(byWorker);
  const workers: WorkerAssignment[] = eligible.map((m) => ({
    memberId: m.memberId,
    workerId: m.workerId,
    url: m.url,
    units: [],
  }));
  const ordered = [...input.units].sort(unitOrder);
  if (workers.length > 0) ordered.forEach((u, i) => workers[i % workers.length]!.units.push(u));
  const out = new Map<string, Assignment>();
  for (const m of input.members) {
    const mismatch = m.configHash !== input.leader.configHash;
    out.set(m.memberId, {
      error: mismatch ? 'config_mismatch' : 'none',
      generation: input.generation,
      leader: input.leader.workerId,
      workers,
    });
  }
  return out;
}

const KIND_ORDER: Record<WorkUnit['kind'], number> = { source: 0, checkpoint: 1, heartbeat: 2 };

function unitOrder(a: WorkUnit, b: WorkUnit): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === 'source' && b.kind === 'source' && a.flow === b.flow) return a.task - b.task;
  return cmp(a.flow, b.flow);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The units of one member in an assignment (empty when it has none). */
export function unitsOf(a: Assignment, memberId: string): WorkUnit[] {
  if (a.error !== 'none') return [];
  return a.workers.find((w) => w.memberId === memberId)?.units ?? [];
}
