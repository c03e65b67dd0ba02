/**
 * At task start, last-writer-wins reads the flow's source topics under it to their end, so the
 * process knows every key's tail in that cluster and the winners again. Without it a restart would
 * forget them: a repair queued but not written before a crash would never be written (its record
 * is behind the stored position, so it is not fetched again), and a later write with an older
 * timestamp than the pre-restart winner would be copied as if it won. Cost: one read of each
 * compacted topic under last-writer-wins per task start (compacted: about its live keys).
 */
import type { ClusterClient } from '../../client/cluster.js';
import { readTopicToEnd, type ReadToEndOptions } from '../../client/read-to-end.js';
import type { Conflicts, FlowView } from './conflicts.js';

export async function replayLwwTopics(
  conflicts: Conflicts,
  flow: FlowView,
  source: ClusterClient,
  topics: readonly string[],
  isStopped: () => boolean,
  /** The source's isolation level, as the data path reads it (exactly-once copies are transactional). */
  read: Pick<ReadToEndOptions, 'isolationLevel'> = {},
): Promise<number> {
  let records = 0;
  for (const topic of topics.filter((t) => conflicts.lwwTopic(t))) {
    await readTopicToEnd(
      source,
      topic,
      (partition, r) => {
        records++;
        conflicts.replay(flow, topic, partition, r);
      },
      { isStopped, ...read },
    );
  }
  return records;
}
