/**
 * The units of work a mirror cluster hands out, and how a flow's topic-partitions become source
 * tasks. Pure: the leader lists the partitions, then calls these.
 *
 * A source task's identity is (flow, task index), as Connect's ConnectorTaskId is (connector, task);
 * its transactional id follows Connect's Worker.taskTransactionalId: `<group.id>-<connector>-<task>`.
 */
import type { ConnectorClass } from '../connector.js';
import { transactionalIdFor } from '../exactly-once/transactional-id.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One source task of a flow: the partitions it owns. */
export interface SourceTaskUnit {
  kind: 'source';
  flow: string;
  task: number;
  partitions: TopicPartition[];
}

/** The checkpoint or heartbeat role of a flow (one task each, as in MM2). */
export interface RoleUnit {
  kind: 'checkpoint' | 'heartbeat';
  flow: string;
}

export type WorkUnit = SourceTaskUnit | RoleUnit;

export const CONNECTOR_CLASS: Record<WorkUnit['kind'], ConnectorClass> = {
  source: 'MirrorSourceConnector',
  checkpoint: 'MirrorCheckpointConnector',
  heartbeat: 'MirrorHeartbeatConnector',
};

/** The REST name of the connector a unit belongs to (the same names a single process uses). */
export function connectorName(unit: Pick<WorkUnit, 'kind' | 'flow'>): string {
  return `${unit.flow}.${CONNECTOR_CLASS[unit.kind]}`;
}

/** The unit's task number within its connector (roles have one task, 0). */
export function taskIndex(unit: WorkUnit): number {
  return unit.kind === 'source' ? unit.task : 0;
}

/** A key naming a unit uniquely in one assignment: "<connector>/<task>". */
export function unitKey(unit: WorkUnit): string {
  return `${connectorName(unit)}/${taskIndex(unit)}`;
}

/**
 * The transactional id of a source task (Connect's Worker.taskTransactionalId format). Stable while
 * the group id, flow and task index stay the same, whichever worker runs the task: an exactly-once
 * task fences its predecessor by calling InitProducerId with it.
 */
export function transactionalId(groupId: string, unit: Pick<SourceTaskUnit, 'flow' | 'task'>): string {
  const [source = '', target = ''] = unit.flow.split('->'); // a flow's name is "<source>-><target>"
  return transactionalIdFor({ groupId, flow: { source, target }, task: unit.task });
}

/**
 * MirrorSourceConnector.taskConfigs: min(tasks.max, partitions) tasks, partitions dealt round-robin
 * in (topic, partition) order, so task i holds every n-th partition. No partitions: no task.
 */
export function splitIntoTasks(
  flow: string,
  partitions: readonly TopicPartition[],
  tasksMax: number,
): SourceTaskUnit[] {
  const sorted = [...partitions].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  const n = Math.min(Math.max(1, tasksMax), sorted.length);
  const tasks: SourceTaskUnit[] = Array.from({ length: n }, (_, task) => ({
    kind: 'source',
    flow,
    task,
    partitions: [],
  }));
  sorted.forEach((tp, i) => tasks[i % n]!.partitions.push(tp));
  return tasks;
}
