/**
 * The transactional id of one source task in exactly-once mode.
 *
 * Zombie fencing (KIP-98, KIP-618) works only if the same task always uses the same id, in every
 * process that may ever run it: a new incarnation's InitProducerId with that id bumps the epoch,
 * aborts the old incarnation's open transaction and makes every later write of the old one fail
 * with PRODUCER_FENCED. So the id is a pure function of what identifies the task's work — the mirror
 * cluster (group), the flow and the task number — never of a host name, a port or a process id.
 * Kafka Connect does the same for source tasks: `<group.id>-<connector>-<task>`
 * (Worker.taskTransactionalId).
 *
 * A task owns a fixed set of source partitions for as long as it lives. Scale-out workers (several
 * tasks per flow) must give each task a distinct number and never hand one task's number to two live
 * processes on purpose: the broker fences whichever registered first.
 */

export interface TransactionalTask {
  /** The mirror cluster's name (scale-out workers sharing one configuration); default `kgw-mirror`. */
  groupId?: string;
  /** The flow the task replicates. */
  flow: { source: string; target: string };
  /** The task's number within the flow (0 when the flow runs one task). */
  task: number;
}

export const DEFAULT_GROUP_ID = 'kgw-mirror';

export function transactionalIdFor({ groupId, flow, task }: TransactionalTask): string {
  if (!Number.isSafeInteger(task) || task < 0)
    throw new RangeError(`task must be a whole number ≥ 0, got ${task}`);
  const group = groupId === undefined || groupId === '' ? DEFAULT_GROUP_ID : groupId;
  // Connect's shape: <group>-<connector>-<task>, with the flow's MM2 connector name.
  return `${group}-${flow.source}->${flow.target}.MirrorSourceConnector-${task}`;
}
