/**
 * Which part of a flow one MirrorSourceConnector instance replicates when the flow is split into
 * tasks (a mirror cluster, mirror/cluster/): the task's identity and the topic-partitions it owns.
 * Without a scope the connector replicates every partition of the flow as its one task (task 0).
 */
import { tpKey } from '../../client/cluster.js';

export interface SourceTaskScope {
  /** The task index within the flow (Connect's ConnectorTaskId.task). */
  task: number;
  /** `<group.id>-<connector>-<task>`: stable for the task whichever worker runs it (exactly-once fencing). */
  transactionalId: string;
  /** The source topic-partitions this task copies; partitions outside it are left to other tasks. */
  partitions: readonly { topic: string; partition: number }[];
}

/** A membership test over a scope's partitions (everything when there is no scope). */
export function ownsPartition(
  scope: SourceTaskScope | undefined,
): (topic: string, partition: number) => boolean {
  if (scope === undefined) return () => true;
  const owned = new Set(scope.partitions.map((p) => tpKey(p.topic, p.partition)));
  return (topic, partition) => owned.has(tpKey(topic, partition));
}
