/**
 * What a worker of a mirror cluster answers on Kafka Connect's REST paths, from the last assignment
 * it received (every worker gets the whole assignment). A task running here reports its own state;
 * a task on another worker is asked there (GET …/tasks/{id}/status on the owner's URL, marked as
 * forwarded so it is never passed on again), as Connect's herders read each other's statuses.
 */
import type { ConnectorState, ConnectorStatus } from '../connector.js';
import type { MirrorConfig } from '../config/config.js';
import { roleUnits } from './planner.js';
import { connectorName, taskIndex, type WorkUnit } from './work.js';
import type { MirrorWorker } from './worker.js';

export const FORWARDED_HEADER = 'x-kgw-forwarded';
const FORWARD_TIMEOUT_MS = 2_000;

export interface ConnectorRef {
  name: string;
  kind: WorkUnit['kind'];
  flow: string;
}

/** Every connector the configuration runs across the cluster (whether or not it has tasks yet). */
export function clusterConnectors(config: MirrorConfig): ConnectorRef[] {
  const sources = config.flows
    .filter((f) => f.enabled)
    .map((f) => ({ kind: 'source' as const, flow: f.name }));
  return [...sources, ...roleUnits(config)].map((u) => ({
    name: connectorName(u),
    kind: u.kind,
    flow: u.flow,
  }));
}

type TaskStatus = ConnectorStatus['tasks'][number];

/** The units of one connector in the current assignment, with the worker that runs each. */
export function placedTasks(
  worker: MirrorWorker,
  name: string,
): { unit: WorkUnit; workerId: string; memberId: string; url: string | null }[] {
  const a = worker.assignment;
  if (a === undefined) return [];
  return a.workers
    .flatMap((w) =>
      w.units
        .filter((u) => connectorName(u) === name)
        .map((unit) => ({ unit, workerId: w.workerId, memberId: w.memberId, url: w.url })),
    )
    .sort((x, y) => taskIndex(x.unit) - taskIndex(y.unit));
}

/** The status of a task that runs on this worker, or undefined. */
export function localTaskStatus(worker: MirrorWorker, name: string, task: number): TaskStatus | undefined {
  const c = worker.runner.running.get(`${name}/${task}`);
  return c?.status().tasks[0];
}

export async function clusterStatus(worker: MirrorWorker, ref: ConnectorRef): Promise<ConnectorStatus> {
  const view = worker.view();
  const tasks = await Promise.all(
    placedTasks(worker, ref.name).map(async (p): Promise<TaskStatus> => {
      const id = taskIndex(p.unit);
      const local = p.memberId === view.memberId ? localTaskStatus(worker, ref.name, id) : undefined;
      if (local !== undefined) return local;
      return remoteTaskStatus(p.url, p.workerId, ref.name, id);
    }),
  );
  const assigned = view.assignment !== undefined && view.assignment.error === 'none';
  return {
    name: ref.name,
    // The connector's own work (listing partitions, dealing tasks) runs on the leader.
    connector: { state: assigned ? 'RUNNING' : 'UNASSIGNED', worker_id: view.assignment?.leader ?? '' },
    tasks,
    type: 'source',
  };
}

async function remoteTaskStatus(
  url: string | null,
  workerId: string,
  name: string,
  id: number,
): Promise<TaskStatus> {
  const unknown = (why: string): TaskStatus => ({
    id,
    state: 'UNASSIGNED' as ConnectorState,
    worker_id: workerId,
    trace: why,
  });
  if (url === null) return unknown(`worker ${workerId} has no REST API`);
  try {
    const res = await fetch(`${url}/connectors/${encodeURIComponent(name)}/tasks/${id}/status`, {
      headers: { [FORWARDED_HEADER]: '1' },
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    if (!res.ok) return unknown(`worker ${workerId} answered HTTP ${res.status}`);
    const body = (await res.json()) as Partial<TaskStatus>;
    return { ...unknown(''), ...body, id, worker_id: workerId, ...(body.trace ? {} : { trace: undefined }) };
  } catch (e) {
    return unknown(`worker ${workerId} did not answer: ${(e as Error).message}`);
  }
}

/** MM2's task config key for a source task's partitions (MirrorSourceTaskConfig). */
export function taskConfigExtras(unit: WorkUnit): Record<string, string> {
  if (unit.kind !== 'source') return {};
  return { 'task.assigned.partitions': unit.partitions.map((p) => `${p.topic}-${p.partition}`).join(',') };
}

/** GET /workers (kgw's addition; Connect has no member listing): the group as this worker knows it. */
export function workersView(worker: MirrorWorker): unknown {
  const v = worker.view();
  return {
    group_id: v.groupId,
    worker_id: v.identity.workerId,
    member_id: v.memberId,
    leader: v.assignment?.leader ?? null,
    generation: v.assignment?.generation ?? null,
    error: v.assignment?.error ?? null,
    last_rebalance:
      v.lastRebalance === undefined
        ? null
        : {
            generation: v.lastRebalance.generation,
            reason: v.lastRebalance.reason,
            duration_ms: v.lastRebalance.durationMs,
            completed_at: v.lastRebalance.completedAt,
          },
    workers: (v.assignment?.workers ?? []).map((w) => ({
      worker_id: w.workerId,
      member_id: w.memberId,
      url: w.url,
      leader: w.workerId === v.assignment?.leader,
      tasks: w.units.map((u) => ({
        connector: connectorName(u),
        task: taskIndex(u),
        ...taskConfigExtras(u),
      })),
    })),
  };
}
